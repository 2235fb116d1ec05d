"""Writing data sets and run results: CSV at full precision, JSON records, a manifest.

Writes are all-or-nothing: files go to a temporary folder beside the target first and are
moved into place only when every one of them is complete.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from dxframework.model.dataset import Dataset
from dxframework.pipeline.result import RunResult

__all__ = ["atomic_folder", "dataset_csv_text", "write_dataset_csv", "write_run"]


def _cell(v: float) -> str:
    return "" if math.isnan(v) else repr(float(v))


def dataset_csv_text(
    data: Dataset, extra: Mapping[str, Dataset] | None = None, rank_suffix: str = "_rank"
) -> str:
    """CSV text: ``unit`` (and ``period`` for panels), then one column per code.

    With ``extra = {"_rank": ranks}`` each column is followed by its rank column.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    panel = len(data.periods) > 1
    header = ["unit"] + (["period"] if panel else [])
    ranks = (extra or {}).get(rank_suffix)
    for c in data.columns:
        header.append(c)
        if ranks is not None:
            header.append(c + rank_suffix)
    w.writerow(header)
    for p, period in enumerate(data.periods):
        for i, u in enumerate(data.units):
            row: list[str] = [u.code] + ([str(period)] if panel else [])
            for j in range(len(data.columns)):
                row.append(_cell(data.values[p, i, j]))
                if ranks is not None:
                    r = ranks.values[p, i, j]
                    row.append("" if math.isnan(r) else str(int(r)))
            w.writerow(row)
    return buf.getvalue()


def write_dataset_csv(data: Dataset, path: str | Path) -> None:
    """Write a data set as CSV (see :func:`dataset_csv_text`)."""
    Path(path).write_text(dataset_csv_text(data), encoding="utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _json_text(doc: Any) -> str:
    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, Mapping):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        return v

    return (
        json.dumps(
            clean(json.loads(json.dumps(doc, default=_json_default))), indent=2, ensure_ascii=False
        )
        + "\n"
    )


@contextmanager
def atomic_folder(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder; on success move its files into ``target``, else discard it."""
    out = Path(target)
    parent = out.parent if out.parent != Path("") else Path(".")
    # folders this call creates, deepest first, so that a failure leaves nothing behind
    created = [d for d in (out, parent, *parent.parents) if not d.exists()]
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dxf-", dir=parent))
    done = False
    try:
        yield tmp
        out.mkdir(parents=True, exist_ok=True)
        for f in sorted(tmp.iterdir()):
            if f.is_dir() and (out / f.name).is_dir():
                shutil.rmtree(out / f.name)  # a folder of ours (charts/) is replaced whole
            os.replace(f, out / f.name)
        done = True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not done:
            if out in created:
                shutil.rmtree(out, ignore_errors=True)
            for d in created:
                with contextlib.suppress(OSError):
                    d.rmdir()


def write_run(result: RunResult, out: str | Path) -> list[Path]:
    """Write one CSV per stage, ``results.csv``, ``records.json`` and ``manifest.json``.

    Returns the paths written. Nothing is written unless everything is.
    """
    names: list[str] = []
    with atomic_folder(out) as tmp:
        for stage in result.stages:
            name = f"{stage.name}.csv"
            (tmp / name).write_text(dataset_csv_text(stage.data), encoding="utf-8")
            names.append(name)
        (tmp / "results.csv").write_text(
            dataset_csv_text(result.scores, {"_rank": result.ranks}), encoding="utf-8"
        )
        records = {
            s.name: {"kind": s.stage.kind, "method": s.stage.method, **s.record}
            for s in result.stages
        }
        (tmp / "records.json").write_text(_json_text(records), encoding="utf-8")
        (tmp / "manifest.json").write_text(_json_text(result.manifest), encoding="utf-8")
        names += ["results.csv", "records.json", "manifest.json"]
    return [Path(out) / n for n in names]
