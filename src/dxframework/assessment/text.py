"""Text helpers for finding and ordering (see :mod:`dxframework.model.text`, where they live
so that every layer can sort codes naturally)."""

from __future__ import annotations

from dxframework.model.text import fold_text, matches, natural_key, natural_sorted

__all__ = ["fold_text", "matches", "natural_key", "natural_sorted"]
