"""Cells that a spreadsheet would run as formulas, neutralised before they are written.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel and LibreOffice when a CSV is opened (CSV injection, OWASP). Such text is
written with a leading apostrophe, which spreadsheets show as plain text. Numbers are never
touched: only text (unit codes, names, notes) goes through :func:`neutralise`.
"""

from __future__ import annotations

__all__ = ["FORMULA_STARTS", "neutralise"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` as it is, or with a leading ``'`` when a spreadsheet would run it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
