"""Numbers as people write them: ``1.234,5`` in Vietnamese, ``1,234.5`` in English.

A text cell is classified on its own first (:func:`classify`): a plain integer, a number whose
separators can be read only one way (``0,5``, ``12.75``, ``1.234.567``, ``1.234,5``), a form
that depends on the locale (``1.234`` and ``1,227``: a thousands group or a decimal part), a
percentage (``75%``), a missing marker, or not a number at all (``0_5``, ``1 234``, ``inf``).

The forms that depend on the locale are then resolved for the whole table
(:func:`resolve_table`): by the declared locale (per pack, level or file), else by the
unambiguous cells of the same table — a table that writes ``0,5`` elsewhere uses the decimal
comma, so its ``1.234`` is 1234. A table with no evidence either way, or with evidence both
ways, leaves each such cell an error that names it: dxframework never guesses a number.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import attrs

__all__ = [
    "MISSING_TOKENS",
    "NON_FINITE_TOKENS",
    "Cell",
    "NumberStyle",
    "classify",
    "resolve_table",
    "style_for_locale",
]

MISSING_TOKENS = frozenset({"", "na", "n/a", "null", "none", "..", "-", "—", "–"})
"""Text that marks a missing value (compared case-folded)."""

NON_FINITE_TOKENS = frozenset(
    {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "-nan", "+nan", "#num!"}
)
"""Text that a program may write for a non-finite value: always an error in a data cell."""

_INT = re.compile(r"[+-]?\d+")
_SCI = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+")
_SCI_COMMA = re.compile(r"[+-]?\d+,\d+[eE][+-]?\d+")
_ONE_SEP = re.compile(r"([+-]?)(\d*)([.,])(\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")
_GROUPED_DECIMAL = re.compile(r"[+-]?\d{1,3}(?:([.,])\d{3})*(?!\1)([.,])\d+")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})

# kinds of cell
NUMBER = "number"  # value is final
AMBIGUOUS = "ambiguous"  # one separator, 1-3 digits, then exactly 3 digits: group or decimal
MISSING = "missing"
BAD = "bad"
NON_FINITE = "non-finite"


@attrs.frozen
class NumberStyle:
    """The decimal and group separators of a locale (``vi``: ``,`` and ``.``)."""

    decimal: str
    group: str
    locale: str = ""


def style_for_locale(locale: str) -> NumberStyle:
    """Separators of a Babel locale (``"vi"``, ``"en"``, ``"vi_VN"``…)."""
    try:
        from babel import Locale, UnknownLocaleError
        from babel.numbers import get_decimal_symbol, get_group_symbol
    except ImportError:  # pragma: no cover - babel is a dependency
        table = {"vi": NumberStyle(",", ".", "vi"), "en": NumberStyle(".", ",", "en")}
        if locale.split("_")[0] in table:
            return table[locale.split("_")[0]]
        raise ValueError(f"unknown number locale {locale!r} (use vi or en)") from None
    try:
        loc = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"unknown number locale {locale!r} (e.g. vi, en)") from None
    decimal = get_decimal_symbol(loc)
    group = get_group_symbol(loc).translate(_SPACES)
    return NumberStyle(decimal, group, str(loc))


@attrs.frozen
class Cell:
    """A text cell as classified: its kind, the value when it is final, and details.

    For an ``ambiguous`` cell, ``value_if_decimal`` and ``value_if_group`` are the two
    readings and ``sep`` is the separator. ``evidence`` names what an unambiguous cell says
    about the table: ``"decimal."``, ``"decimal,"``, ``"group."`` or ``"group,"``.
    """

    kind: str
    value: float = math.nan
    percent: bool = False
    sep: str = ""
    value_if_decimal: float = math.nan
    value_if_group: float = math.nan
    evidence: tuple[str, ...] = ()


_MISSING_CELL = Cell(MISSING)


def _num(text: str) -> float:
    return float(text)


def classify(cell: str, style: NumberStyle | None = None) -> Cell:
    """Classify one text cell (see the module docstring).

    With a declared ``style``, forms that contradict it (``12,5`` where the decimal is a
    point) are ``bad``, and ambiguous ones are resolved at once.
    """
    text = unicodedata.normalize("NFC", cell).translate(_SPACES).strip()
    folded = text.casefold()
    if folded in MISSING_TOKENS:
        return _MISSING_CELL
    if folded in NON_FINITE_TOKENS:
        return Cell(NON_FINITE)
    percent = False
    if text.endswith("%"):
        percent = True
        text = text[:-1].rstrip()
        if not text:
            return Cell(BAD)
    c = _classify_number(text, style)
    if percent and c.kind in (NUMBER, AMBIGUOUS):
        c = attrs.evolve(c, percent=True)
    return c


def _classify_number(text: str, style: NumberStyle | None) -> Cell:
    c = _classify_form(text, style)
    finite = (c.value, c.value_if_decimal, c.value_if_group)
    if c.kind in (NUMBER, AMBIGUOUS) and any(math.isinf(v) for v in finite):
        return Cell(NON_FINITE)  # 1e999 or 400 digits: beyond a float, never infinity
    return c


def _classify_form(text: str, style: NumberStyle | None) -> Cell:
    if _INT.fullmatch(text):
        return Cell(NUMBER, float(text))
    if _SCI.fullmatch(text):
        if style is not None and style.decimal != "." and "." in text:
            return Cell(BAD)
        return Cell(NUMBER, _num(text), evidence=("decimal.",) if "." in text else ())
    if _SCI_COMMA.fullmatch(text):  # 3,6E-05: a spreadsheet in a decimal-comma locale
        if style is not None and style.decimal != ",":
            return Cell(BAD)
        return Cell(NUMBER, _num(text.replace(",", ".")), evidence=("decimal,",))
    m = _ONE_SEP.fullmatch(text)
    if m:
        sign, before, sep, after = m.groups()
        as_decimal = _num(f"{sign}{before or '0'}.{after}")
        could_group = len(after) == 3 and 1 <= len(before) <= 3 and not before.startswith("0")
        if could_group:
            as_group = _num(f"{sign}{before}{after}")
            if style is not None:
                if sep == style.decimal:
                    return Cell(NUMBER, as_decimal)
                if sep == style.group:
                    return Cell(NUMBER, as_group)
                return Cell(BAD)
            return Cell(AMBIGUOUS, sep=sep, value_if_decimal=as_decimal, value_if_group=as_group)
        # only a decimal reading exists
        if style is not None and sep != style.decimal:
            return Cell(BAD)
        return Cell(NUMBER, as_decimal, evidence=(f"decimal{sep}",))
    m = _GROUPED.fullmatch(text)
    if m:  # 1.234.567: the separator can only group
        sep = m.group(1)
        if style is not None and sep != style.group:
            return Cell(BAD)
        return Cell(NUMBER, _num(text.replace(sep, "")), evidence=(f"group{sep}",))
    m = _GROUPED_DECIMAL.fullmatch(text)
    if m and m.group(1) is not None:  # 1.234,5
        group, decimal = m.group(1), m.group(2)
        if style is not None and (group != style.group or decimal != style.decimal):
            return Cell(BAD)
        value = _num(text.replace(group, "").replace(decimal, "."))
        return Cell(NUMBER, value, evidence=(f"group{group}", f"decimal{decimal}"))
    return Cell(BAD)


def table_decimal(evidence: Iterable[str]) -> str | None:
    """The decimal separator a table's unambiguous cells imply; ``None`` if none or both.

    ``"decimal."`` and ``"group,"`` say the decimal is a point; ``"decimal,"`` and
    ``"group."`` say it is a comma.
    """
    says_point = says_comma = False
    for e in evidence:
        if e in ("decimal.", "group,"):
            says_point = True
        elif e in ("decimal,", "group."):
            says_comma = True
    if says_point == says_comma:
        return None
    return "." if says_point else ","


def resolve_table(cells: Iterable[Cell], decimal: str | None) -> list[Cell]:
    """Resolve ambiguous cells by the table's decimal separator (``None``: leave them)."""
    out: list[Cell] = []
    for c in cells:
        if c.kind == AMBIGUOUS and decimal is not None:
            value = c.value_if_decimal if c.sep == decimal else c.value_if_group
            c = Cell(NUMBER, value, percent=c.percent)
        out.append(c)
    return out


def describe_style(decimal: str) -> str:
    """``"decimal comma (1.234,5)"`` or ``"decimal point (1,234.5)"``."""
    return "decimal comma (1.234,5)" if decimal == "," else "decimal point (1,234.5)"


def typed_number(value: Any) -> float | None:
    """A number that a typed cell (Excel, JSON) holds, or ``None`` when it is not numeric."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            return math.inf
    return None
