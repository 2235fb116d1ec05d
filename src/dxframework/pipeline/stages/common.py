"""What every stage runner shares: the run's state, calling a method, per-column settings.

A method's parameters are checked against its signature before it is called
(:func:`call_method`): a parameter it does not take, or one it needs and is not given, is a
:class:`~dxframework.errors.MethodError` naming the stage, the method, the parameter and the
parameters it accepts. A ``TypeError`` raised while the method runs is not a parameter
problem: it propagates, as the bug it is.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.errors import MethodError, Problem
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.pipeline.context import MethodContext, column_groups, merged_settings
from dxframework.pipeline.spec import Stage
from dxframework.plugins.registry import Method, Registry

__all__ = [
    "F",
    "RunState",
    "StageOutput",
    "by_column",
    "call_method",
    "check_params",
    "column_settings",
]

logger = logging.getLogger(__name__)

F = NDArray[np.float64]

#: What a stage runner returns: the new data set and the stage's record.
StageOutput = tuple[Dataset, dict[str, Any]]


@attrs.define
class RunState:
    """Mutable state threaded through the stages of one run."""

    framework: Framework
    raw: Dataset
    current: Dataset
    registry: Registry
    weights: dict[tuple[str, str], float] = attrs.field(factory=dict)
    directed: bool = False
    imputed: bool = False


_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def check_params(
    method: Method, args: Sequence[Any], params: Mapping[str, Any], stage: str
) -> None:
    """Check that ``method.func(*args, **params)`` fits the method's signature.

    Raises
    ------
    MethodError
        Naming the stage, the method, each parameter it does not take or needs, and the
        parameters it accepts.
    """
    sig = method.signature()
    if sig is None:
        return
    try:
        sig.bind(*args, **params)
    except TypeError as exc:
        raise MethodError(_parameter_problems(method, sig, len(args), params, stage, exc)) from None


def _parameter_problems(
    method: Method,
    sig: inspect.Signature,
    n_args: int,
    params: Mapping[str, Any],
    stage: str,
    exc: TypeError,
) -> list[Problem]:
    named = [p for p in list(sig.parameters.values())[n_args:] if p.kind in _NAMED]
    accepted = [p.name for p in named]
    hint = (
        f"{method.family} method {method.name!r} takes: {', '.join(accepted)}"
        if accepted
        else f"{method.family} method {method.name!r} takes no parameters"
    )
    where = f"stage {stage!r}: {method.family} method {method.name!r}"
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())
    unknown = [] if takes_any else [k for k in params if k not in accepted]
    missing = [p.name for p in named if p.default is p.empty and p.name not in params]
    problems = [
        Problem(f"{where} does not take the parameter {k!r}", hint=hint) for k in unknown
    ] + [Problem(f"{where} needs the parameter {k!r}", hint=hint) for k in missing]
    if not problems:  # the data arguments themselves do not fit: the method's own fault
        problems.append(
            Problem(
                f"{where} cannot be called as a {method.family} method: {exc}",
                hint=f"see the contract of the {method.family} hook in docs/plugins.md",
            )
        )
    return problems


def call_method(method: Method, *args: Any, stage: Stage, params: Mapping[str, Any]) -> Any:
    """Call ``method.func(*args, **params)`` after checking the parameters fit it."""
    check_params(method, args, params, stage.name)
    logger.debug("stage %r: %s method %r with %r", stage.name, method.family, method.name, params)
    return method.func(*args, **params)


def column_settings(
    state: RunState, stage: Stage, codes: Sequence[str]
) -> list[tuple[str, dict[str, Any]]]:
    """The method and parameters of each column, merged key by key (see merged_settings)."""
    out = []
    for c in codes:
        node = state.framework.nodes.get(c)
        node_methods = node.methods if node is not None else None
        out.append(
            merged_settings(
                stage.kind, stage.params, stage.method, node_methods, stage.overrides.get(c)
            )
        )
    return out


def by_column(
    state: RunState,
    stage: Stage,
    data: Dataset,
    apply: Callable[[str, dict[str, Any], MethodContext, F], F],
    settings: list[tuple[str, dict[str, Any]]] | None = None,
) -> F:
    """Apply per-column-group settings over the indicator columns of ``data``."""
    codes = data.columns
    if settings is None:
        settings = column_settings(state, stage, codes)
    groups = column_groups(settings)
    if len(groups) == 1 and groups[0][0] != "none":  # one method for all: no copy, no gather
        method, params, _ = groups[0]
        ctx = MethodContext(state.framework, data, state.raw, tuple(codes), stage.name)
        res = np.asarray(apply(method, params, ctx, data.values), dtype=np.float64)
        return res.copy() if res is data.values else res
    out = data.values.copy()
    for method, params, cols in groups:
        if method == "none":
            continue
        sub = tuple(codes[j] for j in cols)
        ctx = MethodContext(state.framework, data, state.raw, sub, stage.name)
        out[..., cols] = apply(method, params, ctx, data.values[..., cols])
    return out
