"""Frameworks: a directed acyclic graph of indicators and aggregates.

Edges run child → parent with a nominal weight, relative among the parent's children. A node
may feed several parents (the Vietnamese DTI's foundation indicators feed every pillar and the
index), so the framework is a graph, not a tree; it is checked for cycles when built.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.errors import FrameworkError, Problem
from dxframework.model._convert import aggregate_tuple, indicator_tuple, str_tuple
from dxframework.model.indicator import Aggregate, Indicator, Node

__all__ = ["Edge", "Framework"]


@attrs.frozen
class Edge:
    """``child`` feeds ``parent`` with nominal ``weight`` (relative among the parent's children)."""

    child: str
    parent: str
    weight: float = attrs.field(default=1.0, converter=float)


def _edges(value: Iterable[Edge | tuple[str, str] | tuple[str, str, float]]) -> tuple[Edge, ...]:
    out: list[Edge] = []
    for e in value:
        out.append(e if isinstance(e, Edge) else Edge(*e))
    return tuple(out)


@attrs.frozen
class Framework:
    """Indicators, aggregates and the weighted edges between them, validated when built.

    Parameters
    ----------
    indicators
        The leaves, in the order data columns are reported.
    aggregates
        Every computed node, in any order (they are sorted topologically).
    edges
        ``Edge(child, parent, weight)``; weights are relative within the parent.
    level_names
        Names of the levels from 1 (indicators) upwards, e.g. ``("Indicator", "Pillar",
        "Sub-index", "Index")``.
    index
        Code of the headline index; defaults to the single root, if there is one.
    source
        Where the framework was read from, for error messages.

    Raises
    ------
    FrameworkError
        With one problem per fault: duplicate or unknown codes, cycles, orphans, negative,
        non-finite or zero-sum weights, levels that do not rise towards the index.
    """

    indicators: tuple[Indicator, ...] = attrs.field(converter=indicator_tuple)
    aggregates: tuple[Aggregate, ...] = attrs.field(converter=aggregate_tuple)
    edges: tuple[Edge, ...] = attrs.field(converter=_edges)
    level_names: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    index: str | None = None
    source: str | None = attrs.field(default=None, eq=False)
    weight_sets: Mapping[str, Mapping[str, Mapping[str, float]]] = attrs.field(
        factory=dict, eq=False
    )

    _nodes: Mapping[str, Node] = attrs.field(init=False, repr=False, eq=False)
    _children: Mapping[str, tuple[Edge, ...]] = attrs.field(init=False, repr=False, eq=False)
    _parents: Mapping[str, tuple[Edge, ...]] = attrs.field(init=False, repr=False, eq=False)
    _levels: Mapping[str, int] = attrs.field(init=False, repr=False, eq=False)
    _order: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        src = self.source

        def bad(
            message: str,
            code: str | None = None,
            hint: str | None = None,
            column: str | None = None,
        ) -> None:
            # ``code`` is the node whose declaration holds the fault and ``column`` the field
            # of that declaration ("code", "parent", "weight", "level"), so that a reader can
            # point at the row and column of a metadata table.
            problems.append(Problem(message, file=src, column=column, indicator=code, hint=hint))

        nodes: dict[str, Node] = {}
        declared: list[Node] = [*self.indicators, *self.aggregates]
        for node in declared:
            if node.code in nodes:
                bad(
                    f"duplicate code {node.code!r}",
                    node.code,
                    "every node needs its own code",
                    "code",
                )
            else:
                nodes[node.code] = node
        children: dict[str, list[Edge]] = {c: [] for c in nodes}
        parents: dict[str, list[Edge]] = {c: [] for c in nodes}
        seen_edges: set[tuple[str, str]] = set()
        rejected: set[str] = set()  # nodes with an invalid edge: not orphans on top of that
        for e in self.edges:
            ok = True
            for role, code in (("child", e.child), ("parent", e.parent)):
                if code not in nodes:
                    bad(
                        f"edge {e.child} → {e.parent}: unknown {role} code {code!r}",
                        e.child,
                        "declare the node or fix the code",
                        "parent" if role == "parent" else "code",
                    )
                    ok = False
            if not ok:
                rejected.add(e.child)
                continue
            if isinstance(nodes[e.parent], Indicator):
                bad(
                    f"edge {e.child} → {e.parent}: an indicator cannot have children",
                    e.child,
                    "declare the parent as an aggregate",
                    "parent",
                )
                rejected.add(e.child)
                continue
            if e.child == e.parent:
                bad(f"node {e.child!r} feeds itself", e.child, column="parent")
                rejected.add(e.child)
                continue
            if (e.child, e.parent) in seen_edges:
                bad(f"edge {e.child} → {e.parent} is declared twice", e.child, column="parent")
                continue
            if not math.isfinite(e.weight) or e.weight < 0:
                bad(
                    f"edge {e.child} → {e.parent}: weight {e.weight!r} must be a finite number ≥ 0",
                    e.child,
                    column="weight",
                )
            seen_edges.add((e.child, e.parent))
            children[e.parent].append(e)
            parents[e.child].append(e)

        for code, node in nodes.items():
            if isinstance(node, Aggregate):
                kids = children[code]
                if not kids:
                    bad(
                        f"aggregate {code!r} has no children (orphan)",
                        code,
                        "give it children or remove it",
                        "code",
                    )
                elif (
                    all(math.isfinite(k.weight) for k in kids) and sum(k.weight for k in kids) <= 0
                ):
                    names = ", ".join(k.child for k in kids)
                    bad(
                        f"the weights of the children of {code!r} ({names}) sum to zero",
                        kids[0].child,
                        "give at least one child a positive weight",
                        "weight",
                    )
            elif self.aggregates and not parents[code] and code not in rejected:
                bad(
                    f"indicator {code!r} feeds no aggregate (orphan)",
                    code,
                    "add it to an aggregate or remove it",
                    "parent",
                )

        order, cycle = _topological_order(nodes, children)
        if cycle:
            bad(
                "cycle in the framework: " + " → ".join(cycle),
                cycle[0],
                "a node cannot feed, directly or indirectly, one of its own children",
                "parent",
            )

        levels: dict[str, int] = {}
        if not cycle:
            for code in order:
                node = nodes[code]
                if isinstance(node, Indicator):
                    levels[code] = 1
                    continue
                below = max((levels[k.child] for k in children[code]), default=1)
                if node.level is not None:
                    if node.level <= below:
                        bad(
                            f"aggregate {code!r} is declared at level {node.level} but has a "
                            f"child at level {below}",
                            code,
                            "a parent sits above its children",
                            "level",
                        )
                    levels[code] = node.level
                else:
                    levels[code] = below + 1

        roots = [c for c in nodes if not parents[c] and isinstance(nodes[c], Aggregate)]
        for set_name, by_parent in self.weight_sets.items():
            for parent, weights in by_parent.items():
                for child, w in weights.items():
                    if (child, parent) not in seen_edges:
                        bad(
                            f"weight set {set_name!r}: no edge {child} → {parent}",
                            child,
                            "a weight set gives weights to existing edges only",
                        )
                    elif not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
                        bad(
                            f"weight set {set_name!r}: weight {w!r} of {child} → {parent} "
                            "must be a finite number ≥ 0",
                            child,
                        )
        if self.index is not None and self.index not in nodes:
            bad(f"index {self.index!r} is not a node of the framework", self.index)
        if problems:
            raise FrameworkError(problems)
        if self.index is None and len(roots) == 1:
            object.__setattr__(self, "index", roots[0])
        object.__setattr__(self, "_nodes", MappingProxyType(nodes))
        object.__setattr__(
            self, "_children", MappingProxyType({k: tuple(v) for k, v in children.items()})
        )
        object.__setattr__(
            self, "_parents", MappingProxyType({k: tuple(v) for k, v in parents.items()})
        )
        object.__setattr__(self, "_levels", MappingProxyType(levels))
        object.__setattr__(self, "_order", tuple(order))

    # -- lookups -------------------------------------------------------------------------------
    @property
    def nodes(self) -> Mapping[str, Node]:
        """Every node by code."""
        return self._nodes

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        """Indicator codes in declaration order."""
        return tuple(i.code for i in self.indicators)

    @property
    def aggregate_codes(self) -> tuple[str, ...]:
        """Aggregate codes in computation order (children before parents, by level)."""
        aggs = [c for c in self._order if isinstance(self._nodes[c], Aggregate)]
        declared = {a.code: n for n, a in enumerate(self.aggregates)}
        return tuple(sorted(aggs, key=lambda c: (self._levels[c], declared[c])))

    @property
    def roots(self) -> tuple[str, ...]:
        """Aggregates that feed no parent."""
        return tuple(c for c in self.aggregate_codes if not self._parents[c])

    @property
    def max_level(self) -> int:
        """The highest level number."""
        return max(self._levels.values(), default=1)

    def __contains__(self, code: object) -> bool:
        return code in self._nodes

    def indicator(self, code: str) -> Indicator:
        """The indicator with this code (``KeyError`` when there is none)."""
        node = self._nodes[code]
        if not isinstance(node, Indicator):
            raise KeyError(f"{code!r} is an aggregate, not an indicator")
        return node

    def children(self, code: str) -> tuple[Edge, ...]:
        """Edges into ``code`` (its children with their nominal weights)."""
        return self._children[code]

    def parents(self, code: str) -> tuple[Edge, ...]:
        """Edges out of ``code`` (its parents)."""
        return self._parents[code]

    def level(self, code: str) -> int:
        """Level number of a node (1 = indicator)."""
        return self._levels[code]

    def level_name(self, level: int) -> str:
        """Name of a level, e.g. ``"Pillar"``; ``"Level n"`` when not named."""
        if 1 <= level <= len(self.level_names):
            return self.level_names[level - 1]
        return "Indicator" if level == 1 else f"Level {level}"

    def codes_at_level(self, level: int) -> tuple[str, ...]:
        """Codes of the nodes at one level."""
        if level == 1:
            return self.indicator_codes
        return tuple(c for c in self.aggregate_codes if self._levels[c] == level)

    # -- weights -------------------------------------------------------------------------------
    def normalised_weights(self, code: str) -> dict[str, float]:
        """Weights of the children of ``code`` rescaled to sum to 1."""
        kids = self._children[code]
        total = sum(e.weight for e in kids)
        return {e.child: e.weight / total for e in kids}

    def weight_matrix(
        self,
        children: Sequence[str],
        parents: Sequence[str],
        weights: Mapping[tuple[str, str], float] | None = None,
    ) -> NDArray[np.float64]:
        """Nominal weights as a ``(len(children), len(parents))`` matrix, zero where no edge.

        ``weights`` overrides edge weights by ``(child, parent)``.
        """
        col = {p: j for j, p in enumerate(parents)}
        row = {c: i for i, c in enumerate(children)}
        w = np.zeros((len(children), len(parents)))
        for p in parents:
            for e in self._children[p]:
                if e.child in row:
                    value = e.weight if weights is None else weights.get((e.child, p), e.weight)
                    w[row[e.child], col[p]] = value
        return w

    def effective_weights(self, root: str | None = None) -> dict[str, float]:
        """Effective weight of every node in ``root`` (default: the index).

        The product of normalised weights along each path to the root, summed over all paths
        when a node feeds several parents (METHODS.md §7).
        """
        root = root or self.index
        if root is None:
            raise FrameworkError("the framework has no single index; name the root")
        eff: dict[str, float] = {root: 1.0}
        for code in reversed(self._order):  # parents before children
            if code not in eff:
                continue
            if isinstance(self._nodes[code], Aggregate):
                for child, w in self.normalised_weights(code).items():
                    eff[child] = eff.get(child, 0.0) + eff[code] * w
        return {c: v for c, v in eff.items() if c != root}

    def weight_set(self, name: str) -> dict[tuple[str, str], float]:
        """A named weight set as ``{(child, parent): weight}`` (edges it omits keep theirs)."""
        if name not in self.weight_sets:
            known = ", ".join(self.weight_sets) or "none"
            raise FrameworkError(
                Problem(f"no weight set {name!r}", file=self.source, hint=f"weight sets: {known}")
            )
        return {
            (child, parent): float(w)
            for parent, kids in self.weight_sets[name].items()
            for child, w in kids.items()
        }

    def with_weights(self, weights: Mapping[tuple[str, str], float]) -> Framework:
        """A copy with some edge weights replaced, keyed by ``(child, parent)``."""
        unknown = [k for k in weights if k not in {(e.child, e.parent) for e in self.edges}]
        if unknown:
            raise FrameworkError([Problem(f"no edge {c} → {p}", indicator=c) for c, p in unknown])
        edges = [
            Edge(e.child, e.parent, weights.get((e.child, e.parent), e.weight)) for e in self.edges
        ]
        return attrs.evolve(self, edges=edges)


def _topological_order(
    nodes: Mapping[str, Node], children: Mapping[str, list[Edge]]
) -> tuple[list[str], list[str]]:
    """Children-first order of the nodes, and a cycle (as a path) if there is one."""
    state: dict[str, int] = {}
    order: list[str] = []
    for start in nodes:
        if start in state:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = []
        while stack:
            code, i = stack.pop()
            if i == 0:
                state[code] = 1
                path.append(code)
            kids = children[code]
            if i < len(kids):
                stack.append((code, i + 1))
                child = kids[i].child
                if state.get(child) == 1:
                    cycle = [*path[path.index(child) :], child]
                    return order, list(reversed(cycle))
                if child not in state:
                    stack.append((child, 0))
            else:
                state[code] = 2
                path.pop()
                order.append(code)
    return order, []
