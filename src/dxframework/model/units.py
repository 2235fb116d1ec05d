"""Units: the things being scored (countries, provinces, districts, communes, departments)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

import attrs

__all__ = ["Unit"]


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", str(value))


def _groups(value: Mapping[str, str] | None) -> Mapping[str, str]:
    if not value:
        return MappingProxyType({})
    return MappingProxyType({_nfc(k): _nfc(v) for k, v in value.items() if v is not None})


@attrs.frozen
class Unit:
    """A unit of assessment.

    Parameters
    ----------
    code
        Unique code (ISO3, the statistics office's 2/3/5-digit code, a department code).
    name
        Display name, stored in Unicode NFC (spreadsheets often hold NFD).
    level
        Administrative level: ``"province"``, ``"district"``, ``"commune"`` or any label.
    parent
        Code of the unit it belongs to (a commune's district).
    groups
        Group memberships by grouping name, e.g. ``{"region": "Northeast"}``.
    """

    code: str = attrs.field(converter=_nfc)
    name: str = attrs.field(default="", converter=_nfc)
    level: str = ""
    parent: str | None = None
    groups: Mapping[str, str] = attrs.field(factory=dict, converter=_groups)

    @code.validator
    def _check(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not value.strip():
            raise ValueError("a unit code must not be empty")
