"""Bắc Kạn district and commune DX indices metric pack for dxframework."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dxframework import MetricPack, hookimpl

__version__ = "1.0.0"

HERE = Path(__file__).parent


@hookimpl
def register_packs(register: Any) -> None:
    """Register the ``backan`` pack."""
    register(MetricPack.from_toml(HERE / "pack.toml"))
