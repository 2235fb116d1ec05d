"""The organisation profile: who issues the documents (Decree 30/2020/NĐ-CP, Appendix I).

A profile is a TOML file with a table per language and a table of symbols::

    [vi]
    superior = ""                          # the superior body, if any (not bold)
    body = "ỦY BAN NHÂN DÂN\\nTỈNH BẮC KẠN"  # the issuing body, lines split by \\n (bold)
    place = "Bắc Kạn"                      # the place of the date line
    authority = "TM. ỦY BAN NHÂN DÂN"      # the signing authority
    position = "CHỦ TỊCH"
    signer = "Nguyễn Văn A"
    recipients = ["Như trên;", "Lưu: VT."]

    [en]
    ...                                    # the same keys; a missing key falls back to [vi]

    [symbols]                              # the symbol after the number, per document
    proposal = "ĐA-UBND"
    plan = "KH-UBND"
    tasks = "QĐ-UBND"

A pack ships its default as ``org = "FILE"`` in its ``[report]`` table (the path relative to
the pack); ``dxf report --org FILE`` overrides it. Without either, the profile is built from
the pack's ``[report]`` organisation and empty signature fields.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from dxframework.errors import DxfError, Problem

__all__ = ["DEFAULT_SYMBOLS", "OrgProfile", "date_line", "load_org", "number_line"]

DEFAULT_SYMBOLS = {"proposal": "ĐA", "plan": "KH", "tasks": "QĐ"}
_TEXT_KEYS = ("superior", "body", "place", "authority", "position", "signer")
_HINT = "see docs/documents.md, 'The organisation profile'"


@attrs.frozen
class OrgProfile:
    """The issuing body, the place, the signer and the recipients, in two languages."""

    texts: Mapping[str, Mapping[str, str]]
    recipients: Mapping[str, tuple[str, ...]]
    symbols: Mapping[str, str]
    source: str | None = None

    def text(self, key: str, lang: str) -> str:
        """A text in ``lang``, falling back to Vietnamese."""
        own = self.texts.get(lang, {}).get(key, "")
        return own or self.texts.get("vi", {}).get(key, "")

    def recipients_in(self, lang: str) -> tuple[str, ...]:
        """The recipient list in ``lang`` (falling back to Vietnamese)."""
        return self.recipients.get(lang) or self.recipients.get("vi", ())

    def symbol(self, document: str) -> str:
        """The symbol of a document: "ĐA-UBND"."""
        return self.symbols.get(document) or DEFAULT_SYMBOLS.get(document, "")


def _fail(message: str, path: Path) -> DxfError:
    return DxfError(Problem(message, file=str(path), hint=_HINT))


def read_org(path: str | Path) -> OrgProfile:
    """Read and check an organisation profile (every problem names the file)."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail("organisation profile not found", path) from None
    except UnicodeDecodeError:
        raise _fail("the organisation profile is not UTF-8 text", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise _fail(f"cannot read the organisation profile: {exc}", path) from None
    texts: dict[str, dict[str, str]] = {}
    recipients: dict[str, tuple[str, ...]] = {}
    for lang in ("vi", "en"):
        table = doc.get(lang, {})
        if not isinstance(table, dict):
            raise _fail(f"[{lang}] must be a table", path)
        texts[lang] = {}
        for key in _TEXT_KEYS:
            value = table.get(key, "")
            if not isinstance(value, str):
                raise _fail(f"{lang}.{key} must be text", path)
            texts[lang][key] = value
        rec = table.get("recipients", [])
        if not isinstance(rec, list) or not all(isinstance(r, str) for r in rec):
            raise _fail(f"{lang}.recipients must be a list of texts", path)
        recipients[lang] = tuple(rec)
    symbols = doc.get("symbols", {})
    if not isinstance(symbols, dict) or not all(isinstance(v, str) for v in symbols.values()):
        raise _fail("[symbols] must be a table of texts", path)
    unknown = sorted(set(doc) - {"vi", "en", "symbols"})
    if unknown:
        raise _fail(f"unknown table [{unknown[0]}]", path)
    return OrgProfile(texts, recipients, dict(symbols), str(path))


def load_org(pack: Any, path: str | Path | None = None) -> OrgProfile:
    """The profile in ``path``, else the pack's (``[report] org``), else one from ``[report]``."""
    if path is not None:
        return read_org(path)
    report: Mapping[str, Any] = pack.report
    own = report.get("org")
    if isinstance(own, str) and own:
        return read_org(Path(pack.root) / own)
    texts = {
        lang: {"body": str(report.get(f"organisation_{lang}", "") or "").upper()}
        for lang in ("vi", "en")
    }
    return OrgProfile(texts, {}, {})


def date_line(place: str, day: dt.date, lang: str) -> str:
    """The place and date line: "Bắc Kạn, ngày 17 tháng 3 năm 2022".

    As Decree 30 writes it: days below 10 and the months January and February take a
    leading zero ("ngày 05 tháng 02 năm 2022"). In English: "Bắc Kạn, 17 March 2022".
    """
    if lang == "vi":
        month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
        text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    else:
        from babel.dates import format_date

        text = str(format_date(day, "d MMMM yyyy", locale="en_GB"))
    return f"{place}, {text}" if place else (text[0].upper() + text[1:])


def number_line(number: str | None, symbol: str, lang: str) -> str:
    """The number and symbol line: "Số: 45/ĐA-UBND", or "Số:      /ĐA-UBND" unnumbered."""
    prefix = "Số:" if lang == "vi" else "No.:"
    if not symbol:
        return f"{prefix} {number}" if number else ""
    filled = number if number else "\u2002" * 5  # space left to write the number in
    return f"{prefix} {filled}/{symbol}"
