"""Locale-aware formatting of numbers, scores, percentages and dates (Babel).

Vietnamese uses a decimal comma and a dot for thousands (0,8002; 1.234,5) and dates as
dd/mm/yyyy; English uses 0.8002, 1,234.5 and "15 March 2022". Missing values print as "—".
Halves round up (45,25 → 45,3), as in spreadsheets.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

__all__ = ["Formatter"]

LOCALES = {"vi": "vi_VN", "en": "en_GB"}
MISSING = "—"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class Formatter:
    """Formatting functions for one language, used as Jinja filters."""

    def __init__(self, lang: str) -> None:
        if lang not in LOCALES:
            raise ValueError(f"unsupported language {lang!r} (use 'vi' or 'en')")
        self.lang = lang
        self.locale = LOCALES[lang]

    def number(self, value: Any, digits: int = 2) -> str:
        """A number with ``digits`` decimals and grouped thousands: 1.234,50 / 1,234.50."""
        if _missing(value):
            return MISSING
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        with decimal.localcontext() as ctx:  # round half up, as people (and Excel) expect
            ctx.rounding = decimal.ROUND_HALF_UP
            return str(format_decimal(float(value), format=pattern, locale=self.locale))

    def score(self, value: Any) -> str:
        """A score the official way: 4 decimals (0,8002)."""
        return self.number(value, 4)

    def signed(self, value: Any, digits: int = 4) -> str:
        """A change with its sign: +0,0123 / −0,0040."""
        if _missing(value):
            return MISSING
        text = self.number(abs(float(value)), digits)
        if not any(ch in "123456789" for ch in text):  # rounds to zero: no sign
            return "±" + text
        return ("+" if float(value) > 0 else "−") + text

    def percent(self, value: Any, digits: int = 1) -> str:
        """A value already in per cent: 45,3% / 45.3%."""
        if _missing(value):
            return MISSING
        return self.number(value, digits) + "%"

    def share(self, value: Any, digits: int = 1) -> str:
        """A fraction shown as a percentage: 0.7 → 70,0%."""
        if _missing(value):
            return MISSING
        return self.percent(float(value) * 100, digits)

    def integer(self, value: Any) -> str:
        """A whole number with grouped thousands."""
        return self.number(value, 0)

    def date(self, value: dt.date | str) -> str:
        """15/03/2022 in Vietnamese, 15 March 2022 in English."""
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        pattern = "dd/MM/yyyy" if self.lang == "vi" else "d MMMM yyyy"
        return str(format_date(value, pattern, locale=self.locale))

    def filters(self) -> dict[str, Any]:
        """The filters to install in a Jinja environment."""
        return {
            "number": self.number,
            "score": self.score,
            "signed": self.signed,
            "percent": self.percent,
            "share": self.share,
            "integer": self.integer,
            "date": self.date,
        }
