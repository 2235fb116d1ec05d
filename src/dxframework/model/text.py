"""Text helpers for finding and ordering: accent folding and natural sort keys.

The lowest layer that orders unit codes needs them, so they live in the model; every output
that sorts codes (results, roll-ups, rankings among ties, assessment tables) sorts with
:func:`natural_key`.

Vietnamese is compared in Unicode NFC, but a search typed without accents must still find
accented names: :func:`fold_text` drops the accents (``đ`` → ``d``) and the case, so
``"chuyen doi so"`` finds ``"Chuyển đổi số"``. :func:`natural_key` orders codes by the
numbers inside them, so ``4.2`` comes before ``4.10`` and ``NT2`` before ``NT10``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

__all__ = ["fold_text", "matches", "natural_key", "natural_sorted"]

T = TypeVar("T")

_DIGITS = re.compile(r"(\d+)")
_SPACES = re.compile(r"\s+")


def fold_text(text: str) -> str:
    """Text as searches compare it: NFC-independent, accents and case dropped, ``đ`` → ``d``,
    runs of white space as one space.

    >>> fold_text("Chuyển  ĐỔI số")
    'chuyen doi so'
    """
    t = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return _SPACES.sub(" ", t.casefold()).strip()


def matches(query: str, *texts: str) -> bool:
    """Whether every word of ``query`` occurs (folded) in one of ``texts`` joined."""
    words = fold_text(query).split()
    haystack = " | ".join(fold_text(t) for t in texts if t)
    return bool(words) and all(w in haystack for w in words)


def natural_key(code: object) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """Sort key that orders the numbers inside a code by value: ``1.2 < 1.10 < 2.1``.

    Text parts compare folded (accents and case ignored); a final element keeps codes that
    differ only in leading zeros (``058`` and ``58``) apart and in a stable order.

    >>> sorted(["1.10", "2.1", "1.2"], key=natural_key)
    ['1.2', '1.10', '2.1']
    """
    text = str(code)
    parts: list[tuple[int, int | str]] = []
    for i, piece in enumerate(_DIGITS.split(text)):
        if not piece:
            continue
        parts.append((0, int(piece)) if i % 2 else (1, fold_text(piece)))
    return tuple(parts), text


def natural_sorted(items: Iterable[T], key: Callable[[T], object] | None = None) -> list[T]:
    """``items`` sorted by :func:`natural_key` (of ``key(item)`` when given)."""
    if key is None:
        return sorted(items, key=natural_key)
    get = key
    return sorted(items, key=lambda item: natural_key(get(item)))
