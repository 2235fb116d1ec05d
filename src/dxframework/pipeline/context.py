"""What a method sees besides the values: the framework, units, periods and column codes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.errors import MethodError, Problem
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.model.indicator import Indicator

__all__ = [
    "BlankScoredWarning",
    "MethodContext",
    "is_point_rule",
    "merged_settings",
    "point_rule",
]

_Func = TypeVar("_Func", bound=Callable[..., Any])
_POINT_RULE = "__dxf_point_rule__"


def point_rule(func: _Func) -> _Func:
    """Mark a normalisation method as a point rule (it gives points in original units).

    The normalise stage applies the missing-value policy to the columns of a point rule
    (``missing = "zero"``, ``"skip"`` or ``"impute"``): a blank earns no points by default.
    Plugins mark their own point rules the same way::

        @point_rule
        def my_rule(x, ctx, points=10): ...
    """
    setattr(func, _POINT_RULE, True)
    return func


def is_point_rule(func: Callable[..., Any]) -> bool:
    """Whether ``func`` was marked with :func:`point_rule`."""
    return bool(getattr(func, _POINT_RULE, False))


class BlankScoredWarning(UserWarning):
    """A blank (unreported) value was scored 0 points by a point rule.

    One warning per unit and indicator; the normalise stage's record lists every cell
    (``scored_zero``).
    """


@attrs.frozen
class MethodContext:
    """Context handed to every registered method along with the values.

    Attributes
    ----------
    framework
        The framework being scored.
    data
        The stage's input data set (all columns, all units).
    raw
        The run's input data set (auxiliary columns such as denominators live here).
    codes
        Codes of the columns of the array the method receives, in order.
    stage
        Name of the running stage.
    """

    framework: Framework
    data: Dataset
    raw: Dataset
    codes: tuple[str, ...]
    stage: str = ""

    @property
    def units(self) -> tuple[str, ...]:
        """Unit codes in row order."""
        return self.data.unit_codes

    @property
    def periods(self) -> tuple[int, ...]:
        """Periods along the leading axis."""
        return self.data.periods

    def directions(self) -> NDArray[np.float64]:
        """Direction (+1/−1) of each column (aggregates are +1)."""
        out = []
        for c in self.codes:
            node = self.framework.nodes.get(c)
            out.append(float(node.direction) if isinstance(node, Indicator) else 1.0)
        return np.array(out)

    def indicator(self, code: str) -> Indicator | None:
        """The indicator of a column, if it is one."""
        node = self.framework.nodes.get(code)
        return node if isinstance(node, Indicator) else None

    def groups(self, grouping: str) -> NDArray[np.int64]:
        """Group number of each unit in ``grouping``, −1 where the unit has none."""
        labels = self.data.group_labels(grouping)
        if all(lab is None for lab in labels):
            known = ", ".join(self.data.groupings()) or "none"
            raise MethodError(
                Problem(
                    f"no unit has a value for grouping {grouping!r}",
                    file=self.data.source,
                    column=grouping,
                    hint=f"groupings in the data: {known}",
                )
            )
        names = sorted({lab for lab in labels if lab is not None})
        index = {n: i for i, n in enumerate(names)}
        return np.array([index[lab] if lab is not None else -1 for lab in labels], dtype=np.int64)

    def check(
        self,
        bad: NDArray[np.bool_],
        message: str,
        hint: str | None = None,
        *,
        cells: bool = False,
    ) -> None:
        """Raise a :class:`MethodError` with one problem per column where ``bad`` holds.

        ``bad`` flags columns, shape ``(..., columns)``, or with ``cells=True`` cells, shape
        ``(..., units, columns)``; then ``{units}`` in ``message`` is replaced by the units
        concerned (at most ten named). Leading axes (periods, variants) are pooled.
        """
        bad = np.asarray(bad, dtype=bool)
        if not np.any(bad):
            return
        per_column = bad.reshape(-1, bad.shape[-1]).any(axis=0)
        problems: list[Problem] = []
        for k in np.nonzero(per_column)[0]:
            text = message
            if cells:
                rows = np.nonzero(bad[..., k].reshape(-1, bad.shape[-2]).any(axis=0))[0]
                names = ", ".join(self.units[i] for i in rows[:10])
                text = message.replace("{units}", names + (" …" if len(rows) > 10 else ""))
            problems.extend(self.error(text, indicator=self.codes[k], hint=hint).problems)
        raise MethodError(problems)

    def error(
        self,
        message: str,
        *,
        unit: str | None = None,
        indicator: str | None = None,
        hint: str | None = None,
    ) -> MethodError:
        """A :class:`MethodError` located at this stage (and unit/indicator)."""
        return MethodError(
            Problem(
                f"stage {self.stage!r}: {message}",
                unit=unit,
                indicator=indicator,
                column=indicator,
                hint=hint,
            )
        )


def merged_settings(
    kind: str,
    params: Mapping[str, Any],
    method: str,
    node_methods: Mapping[str, Any] | None,
    override: Mapping[str, Any] | str | None,
) -> tuple[str, dict[str, Any]]:
    """Merge global stage settings with a node's settings, key by key.

    Order: pipeline params ← the node's ``methods[kind]`` in the framework ← the stage's
    override for that node. Each layer may set ``method`` (or be the string ``"none"``); a
    layer that switches to another method starts from its own parameters only.
    """
    out_method = method
    out = dict(params)
    for layer in ((node_methods or {}).get(kind), override):
        if layer is None:
            continue
        if isinstance(layer, str):
            out_method = layer
            continue
        layer = dict(layer)
        if "method" in layer:
            new_method = str(layer.pop("method"))
            if new_method != out_method:  # another method: the global params do not apply
                out_method, out = new_method, {}
        out.update(layer)
    return out_method, out


def column_groups(
    settings: Sequence[tuple[str, dict[str, Any]]],
) -> list[tuple[str, dict[str, Any], list[int]]]:
    """Group column positions that share the same method and parameters."""
    groups: dict[str, tuple[str, dict[str, Any], list[int]]] = {}
    for j, (method, params) in enumerate(settings):
        key = repr((method, sorted(params.items(), key=lambda kv: kv[0])))
        if key not in groups:
            groups[key] = (method, params, [])
        groups[key][2].append(j)
    return list(groups.values())
