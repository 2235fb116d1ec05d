"""Fuzzing the readers: whatever the bytes, only a :class:`~dxframework.errors.DxfError` escapes.

Random bytes, CSV-like text, JSON documents, damaged workbooks and pipeline documents (as
dicts, TOML and JSON files) are fed to :func:`dxframework.io.read_dataset` (without a schema
and with the backan commune schema) and to :class:`dxframework.pipeline.spec.Pipeline`. A
``DxfError`` is a fine answer (the input is bad); any other exception is a bug.

The examples are derandomised (the same every run) and not kept in Hypothesis's example
database, so a failure is reproducible. Faults already reported are recognised (``known``) so
that the fuzzing goes on; each has a deterministic ``xfail(strict=True)`` test at the end.
"""

from __future__ import annotations

import io
import json
import math
import random
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dxframework
from corpus.cases import (
    COMMUNE_HEADER,
    Sheet,
    commune,
    cp1258,
    csv_text,
    typed,
    workbook_bytes,
    zip_version_needed,
)
from dxframework.errors import DxfError
from dxframework.io import read_dataset
from dxframework.pipeline.spec import KINDS, Pipeline

FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SCHEMA = dxframework.get_pack("backan").level("commune").schema()
SCHEMAS = st.sampled_from(
    [None, SCHEMA, attrs.evolve(SCHEMA, locale="vi"), attrs.evolve(SCHEMA, locale="en")]
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


Known = Callable[[BaseException], bool]


def only_dxf_errors(
    fn: Callable[..., Any], *args: Any, known: tuple[Known, ...] = (), **kwargs: Any
) -> None:
    """Call ``fn``; a ``DxfError`` is an answer, anything else propagates (a bug).

    ``known`` recognise faults already reported (each has an ``xfail`` test below), so that
    the fuzzing goes on looking for new ones.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn(*args, **kwargs)
        except DxfError:
            pass
        except Exception as exc:
            if not any(k(exc) for k in known):
                raise


def read(path: Path, schema: Any, known: tuple[Known, ...] = (), **kwargs: Any) -> None:
    only_dxf_errors(read_dataset, path, schema, known=known, **kwargs)


# -- random bytes ----------------------------------------------------------------------------
SUFFIXES = [".csv", ".tsv", ".txt", ".json", ".xlsx", ".xls", ".ods"]


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES), schema=SCHEMAS)
def test_random_bytes(folder: Path, data: bytes, suffix: str, schema: Any) -> None:
    p = folder / f"bytes{suffix}"
    p.write_bytes(data)
    read(p, schema)


# -- CSV-like text ---------------------------------------------------------------------------
NUMBERS = st.sampled_from(
    [
        "",
        "0",
        "1.234",
        "1,227",
        "0,5",
        "12.75",
        "1.234,5",
        "1,234.5",
        "1.234.567",
        "75%",
        "0.5%",
        "%",
        "-3",
        "−2",
        "+1",
        "1e3",
        "1e999",
        "1" + "0" * 400,
        "inf",
        "NaN",
        "#DIV/0!",
        "NA",
        "-",
        "..",
        "có",
        "không",
        "Một phần",
        "0_5",
        "1 234",
        "=SUM(A1)",
        "@x",
        '"',
        "\x00",
        "2024",
        "05801",
    ]
)
HEADERS = st.sampled_from(
    [*COMMUNE_HEADER, "Mã", "Tên", "Năm", "ht1", "", "unit", "HT9", "date", "agency", "Ghi chú"]
)
CELLS = st.one_of(NUMBERS, st.text(max_size=12), st.floats().map(repr), st.integers().map(str))


@st.composite
def csvish(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(HEADERS, min_size=0, max_size=20))
    width = max(len(header), 1)
    rows = draw(
        st.lists(
            st.lists(CELLS, min_size=max(width - 2, 0), max_size=width + 2), min_size=0, max_size=8
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = csv_text([header, *rows], delimiter=delimiter, newline=newline)
    if draw(st.booleans()):  # break the quoting now and then
        k = draw(st.integers(0, max(len(text) - 1, 0)))
        text = text[:k] + draw(st.sampled_from(['"', "\n", delimiter, "\x00", "\ufeff"])) + text[k:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(
    data=csvish(),
    schema=SCHEMAS,
    encoding=st.sampled_from([None, None, "cp1258", "utf-16", "latin-1", "nonsense-enc"]),
)
def test_random_csv_text(folder: Path, data: bytes, schema: Any, encoding: str | None) -> None:
    p = folder / "text.csv"
    p.write_bytes(data)
    read(p, schema, encoding=encoding)


@FUZZ
@given(
    edits=st.dictionaries(
        st.tuples(st.integers(0, 3), st.sampled_from(COMMUNE_HEADER)), CELLS, max_size=6
    ),
    schema=SCHEMAS,
    delimiter=st.sampled_from([",", ";"]),
)
def test_commune_table_with_random_cells(
    folder: Path, edits: dict[tuple[int, str], str], schema: Any, delimiter: str
) -> None:
    """A valid commune table with a few cells replaced: the readers' deeper paths."""
    p = folder / "edited.csv"
    p.write_text(csv_text(commune(edits), delimiter=delimiter), encoding="utf-8")
    read(p, schema)


# -- JSON documents --------------------------------------------------------------------------
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    NUMBERS,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)
RECORDS = st.lists(st.dictionaries(HEADERS, st.one_of(SCALARS, JSON), max_size=12), max_size=6)


@FUZZ
@given(
    doc=st.one_of(JSON, RECORDS, RECORDS.map(lambda r: {"records": r})),
    schema=SCHEMAS,
    ascii_only=st.booleans(),
)
def test_random_json(folder: Path, doc: Any, schema: Any, ascii_only: bool) -> None:
    p = folder / "doc.json"
    p.write_text(json.dumps(doc, ensure_ascii=ascii_only), encoding="utf-8", errors="surrogatepass")
    read(p, schema)


# -- damaged workbooks -----------------------------------------------------------------------
def _workbook(stored: bool) -> bytes:
    rows = typed(commune())
    rows[2][rows[0].index("HT1")] = 0.83
    rows[3][rows[0].index("NT4")] = "=1+1"
    data = workbook_bytes(
        [
            Sheet("Data", rows, formats={(1, "HT1"): "0%"}),
            Sheet("Ẩn", rows, state="hidden"),
        ]
    )
    if not stored:
        return data
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name in src.namelist():
            z.writestr(name, src.read(name))
    return buf.getvalue()


WORKBOOKS = {False: _workbook(False), True: _workbook(True)}
#: where the zip headers (local and central) of each workbook start: flips there hit metadata
HEADERS_AT = {
    k: [i for i in range(len(v) - 46) if v[i : i + 4] in (b"PK\x03\x04", b"PK\x01\x02")]
    for k, v in WORKBOOKS.items()
}


@FUZZ
@given(
    stored=st.booleans(),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=4),
    header_flips=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(4, 45), st.integers(0, 255)), max_size=2
    ),
    cut=st.one_of(st.none(), st.floats(0, 1)),
    sheet=st.sampled_from([None, "Data", "Ẩn", "nope"]),
    schema=SCHEMAS,
)
def test_damaged_workbook(
    folder: Path,
    stored: bool,
    flips: list[tuple[float, int]],
    header_flips: list[tuple[int, int, int]],
    cut: float | None,
    sheet: str | None,
    schema: Any,
) -> None:
    data = bytearray(WORKBOOKS[stored])
    for where, byte in flips:
        data[int(where * len(data))] = byte
    for which, offset, byte in header_flips:
        starts = HEADERS_AT[stored]
        data[starts[which % len(starts)] + offset] = byte
    if cut is not None:
        data = data[: int(cut * len(data))]
    p = folder / "damaged.xlsx"
    p.write_bytes(bytes(data))
    read(p, schema, sheet=sheet)


# -- pipeline documents ----------------------------------------------------------------------
TOML_SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(["mean", "minmax", "ratio", "zero", "skip", "arithmetic", "geometric"]),
)
TOML_VALUES = st.recursive(
    TOML_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
KIND_NAMES = st.sampled_from([*KINDS, "normalize", "weights", "bogus", ""]) | st.text(max_size=6)
PARAM_KEYS = st.sampled_from(
    [
        "method",
        "name",
        "params",
        "overrides",
        "missing",
        "per",
        "points",
        "winmax",
        "group",
        "weights",
        "levels",
        "skew",
        "kurt",
        "lower",
        "upper",
        "digits",
    ]
) | st.text(min_size=1, max_size=6)
STAGE = st.fixed_dictionaries(
    {"kind": KIND_NAMES},
    optional={"method": st.text(max_size=8) | st.sampled_from(["none", "mean"])},
).flatmap(
    lambda base: st.dictionaries(PARAM_KEYS, TOML_VALUES, max_size=4).map(
        lambda extra: {**extra, **base}
    )
)
PIPELINE = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=8) | TOML_VALUES,
        "description": st.text(max_size=8),
        "stages": st.lists(STAGE, max_size=5) | TOML_VALUES,
        "stage": st.lists(STAGE, max_size=2),
        "ranking": st.dictionaries(
            st.sampled_from(["digits", "tiers", "indicators", "other"]), TOML_VALUES, max_size=3
        )
        | TOML_VALUES,
        "pipeline": st.just({}) | st.dictionaries(st.just("stages"), st.lists(STAGE, max_size=2)),
    },
)


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return (
            "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
        )
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_document(doc: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in doc.items())


@FUZZ
@given(doc=PIPELINE)
def test_pipeline_from_dict(doc: dict[str, Any]) -> None:
    only_dxf_errors(Pipeline.from_dict, doc, source="fuzz.toml")


@FUZZ
@given(
    doc=PIPELINE,
    form=st.sampled_from(["toml", "json", "toml-damaged", "json-any", "bytes"]),
    junk=st.binary(max_size=200),
    seed=st.integers(0, 2**16),
)
def test_pipeline_from_file(
    folder: Path, doc: dict[str, Any], form: str, junk: bytes, seed: int
) -> None:
    suffix = ".json" if form.startswith("json") else ".toml"
    p = folder / f"pipeline{suffix}"
    if form == "toml":
        p.write_text(toml_document(doc), encoding="utf-8")
    elif form == "toml-damaged":
        text = toml_document(doc) or "x = 1\n"
        k = random.Random(seed).randrange(len(text))
        p.write_text(text[:k] + text[k + 1 :], encoding="utf-8")
    elif form == "json":
        p.write_text(json.dumps(doc), encoding="utf-8")
    elif form == "json-any":  # any JSON document, not only an object
        p.write_text(json.dumps(random.Random(seed).choice([[doc], 1, "x", None, doc])), "utf-8")
    else:
        p.write_bytes(junk)
    only_dxf_errors(Pipeline.from_file, p)


@pytest.mark.parametrize(
    "data",
    [
        b"\x80",
        'name = "x"\n[[stages]]\nkind = "normalise"\n'.encode("utf-16"),
        cp1258('description = "Chỉ số chuyển đổi số"\n'),
    ],
    ids=["byte-80", "utf-16", "cp1258"],
)
def test_pipeline_file_not_utf8(folder: Path, data: bytes) -> None:
    """Found by the fuzzing above (and fixed): a pipeline file that is not UTF-8."""
    p = folder / "not-utf8.toml"
    p.write_bytes(data)
    with pytest.raises(DxfError) as info:
        Pipeline.from_file(p)
    assert "not-utf8.toml" in str(info.value)


# -- faults the fuzzing found, one deterministic test each (fixed: regression tests) -----------
@pytest.mark.parametrize("schema", [None, SCHEMA], ids=["no-schema", "schema"])
def test_workbook_zip_version_refused(folder: Path, schema: Any) -> None:
    p = folder / "zip-version.xlsx"
    p.write_bytes(zip_version_needed(WORKBOOKS[False]))
    with pytest.raises(DxfError) as info:
        read_dataset(p, schema)
    assert "zip-version.xlsx" in str(info.value)
