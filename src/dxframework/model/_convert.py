"""Typed converters for attrs fields (``converter=tuple`` loses the element type for mypy)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dxframework.model.indicator import Aggregate, Indicator


def str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    """A tuple of strings."""
    return tuple(str(v) for v in value)


def int_tuple(value: Iterable[int]) -> tuple[int, ...]:
    """A tuple of whole numbers (periods)."""
    return tuple(int(v) for v in value)


def indicator_tuple(value: Iterable[Indicator]) -> tuple[Indicator, ...]:
    """A tuple of indicators."""
    return tuple(value)


def aggregate_tuple(value: Iterable[Aggregate]) -> tuple[Aggregate, ...]:
    """A tuple of aggregates."""
    return tuple(value)
