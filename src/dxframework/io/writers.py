"""Writing data sets: CSV at full precision, JSON, and output folders written whole.

Writes are all-or-nothing and replace the output folder whole (:func:`atomic_folder`): the
files go to a hidden temporary folder beside the target, and only when every one of them is
complete is the previous folder renamed aside, the new one renamed into place and the old one
removed. Every output folder carries a marker, ``.dxf-output.json``; a folder that is not empty
and has no marker holds someone else's files and is never replaced. Text cells of every CSV
written go through :func:`dxframework.io.safe.neutralise`, so a spreadsheet opening the file
does not run a unit name such as ``=1+1`` as a formula.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import logging
import math
import os
import re
import secrets
import shutil
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from dxframework._version import __version__
from dxframework.errors import DxfError, Problem
from dxframework.io.safe import neutralise
from dxframework.model.dataset import Dataset
from dxframework.model.text import natural_key

__all__ = [
    "MARKER",
    "OutputWarning",
    "atomic_file",
    "atomic_folder",
    "check_inputs_outside",
    "check_output_file",
    "csv_text",
    "dataset_csv_text",
    "json_text",
    "recording_command",
    "recover_leftovers",
    "write_dataset_csv",
    "write_run",
    "write_text_files",
]

logger = logging.getLogger(__name__)

#: Name of the marker file written into every output folder.
MARKER = ".dxf-output.json"


class StageOutput(Protocol):
    """What :func:`write_run` reads of a stage's result (a :class:`dxframework.StageResult`)."""

    @property
    def name(self) -> str: ...
    @property
    def data(self) -> Dataset: ...
    @property
    def stage(self) -> Any: ...
    @property
    def record(self) -> Mapping[str, Any]: ...


class RunOutput(Protocol):
    """What :func:`write_run` reads of a run (a :class:`dxframework.RunResult`); io knows
    data sets, not runs."""

    @property
    def stages(self) -> Sequence[StageOutput]: ...
    @property
    def scores(self) -> Dataset: ...
    @property
    def ranks(self) -> Dataset: ...
    @property
    def manifest(self) -> Mapping[str, Any]: ...


class OutputWarning(UserWarning):
    """What was done to an output folder (leftovers of a killed run tidied, say)."""


_TMP = ".dxf-tmp-"
_OLD = ".dxf-old-"
#: ``(target, staging folder)`` of the :func:`atomic_folder` calls in progress, outermost first.
_STAGING: ContextVar[tuple[tuple[Path, Path], ...]] = ContextVar("dxf_staging", default=())
#: ``(command, options)`` of the command writing (see :func:`recording_command`).
_COMMAND: ContextVar[tuple[str, dict[str, Any]] | None] = ContextVar("dxf_command", default=None)


def _cell(v: float) -> str:
    return "" if math.isnan(v) else repr(float(v))


def dataset_csv_text(
    data: Dataset, extra: Mapping[str, Dataset] | None = None, rank_suffix: str = "_rank"
) -> str:
    """CSV text: ``unit`` (and ``period`` for panels), then one column per code.

    Rows list the units in natural order of their codes (``1.2`` before ``1.10``), columns
    in the data set's order (the framework's). With ``extra = {"_rank": ranks}`` each column
    is followed by its rank column. Unit codes
    and column codes that a spreadsheet would run as formulas are neutralised (a leading
    ``'``, see :func:`dxframework.io.safe.neutralise`); numbers are written as they are.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    panel = len(data.periods) > 1
    header = ["unit"] + (["period"] if panel else [])
    ranks = (extra or {}).get(rank_suffix)
    for c in data.columns:
        header.append(neutralise(c))
        if ranks is not None:
            header.append(neutralise(c + rank_suffix))
    w.writerow(header)
    units = data.units  # rows in natural order of the unit codes (1.2 before 1.10)
    order = sorted(range(len(units)), key=lambda k: natural_key(units[k].code))
    for p, period in enumerate(data.periods):
        for i in order:
            u = units[i]
            row: list[str] = [neutralise(u.code)] + ([str(period)] if panel else [])
            for j in range(len(data.columns)):
                row.append(_cell(data.values[p, i, j]))
                if ranks is not None:
                    r = ranks.values[p, i, j]
                    row.append("" if math.isnan(r) else str(int(r)))
            w.writerow(row)
    return buf.getvalue()


def csv_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """CSV text of a list of dicts (header from the first row); empty for no rows.

    Text cells (and header names) that a spreadsheet would run as formulas are neutralised
    (:func:`dxframework.io.safe.neutralise`); numbers are written as they are.
    """

    def cell(value: Any) -> Any:
        return neutralise(value) if isinstance(value, str) else value

    buf = io.StringIO()
    if rows:
        fields = list(rows[0])
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([cell(str(f)) for f in fields])
        for row in rows:
            extra = set(row) - set(fields)
            if extra:
                raise ValueError(f"row has fields not in the header: {sorted(extra)}")
            w.writerow([cell(row.get(f, "")) for f in fields])
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


def json_text(doc: Any) -> str:
    """Indented JSON text of plain data (tuples as lists, NaN and infinities as null)."""
    return _json_text(doc)


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


# -- output files -------------------------------------------------------------------------------
def _same_file(a: Path, b: Path) -> bool:
    if _absolute(a) == _absolute(b):
        return True
    with contextlib.suppress(OSError):
        return a.exists() and b.exists() and os.path.samefile(a, b)
    return False


def check_output_file(
    target: str | Path,
    *,
    what: str,
    suffixes: Sequence[str],
    inputs: Iterable[str | Path | None],
    force: bool,
) -> None:
    """Refuse an output file that would harm an input, before anything is computed.

    ``what`` names the output in messages ("the dashboard"); ``suffixes`` are the allowed
    file-name endings (``(".html",)``); ``inputs`` are the files (and folders) the command
    and its pack read. Refused: another suffix, a folder, one of the inputs, a file inside
    an input folder (it would be read back as data), and an existing file unless ``force``.
    """
    path = Path(target)
    if path.suffix.lower() not in suffixes:
        endings = " or ".join(suffixes)
        raise DxfError(
            Problem(
                f"{what}'s file name must end in {endings}",
                file=str(path),
                hint=f"e.g. --out {path.stem or 'output'}{suffixes[0]}",
            )
        )
    if path.is_dir():
        raise DxfError(Problem("is a folder, not a file name", file=str(path)))
    for item in inputs:
        if item is None:
            continue
        source = Path(item)
        if source.is_dir() and _within(_absolute(path), _absolute(source)):
            raise DxfError(
                Problem(
                    f"{what} would be written inside the input folder {str(source)!r}, and "
                    "read back with it",
                    file=str(path),
                    hint="write it to another folder",
                )
            )
        if _same_file(path, source):
            raise DxfError(
                Problem(
                    f"{what} would overwrite an input file of this command or its pack",
                    file=str(path),
                    hint="write it to another file",
                )
            )
    if path.exists() and not force:
        raise DxfError(
            Problem(
                "the file exists already",
                file=str(path),
                hint="choose another name, or give --force to replace it",
            )
        )


@contextmanager
def atomic_file(target: str | Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed onto it when the block ends normally.

    Write the file at the path yielded; ``target`` is then the whole new file, or — if the
    block raises or the process dies — what it was before (the temporary file is removed).
    """
    path = Path(target)
    parent = path.parent if str(path.parent) else Path(".")
    tmp = parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(path, exc) from exc
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if exc.filename is None or str(exc.filename) not in (str(tmp), str(parent), str(path)):
            raise
        raise _unwritable(path, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _unwritable(target: Path, exc: OSError) -> DxfError:
    """The error for an output that cannot be written there (a read-only folder…), naming
    the output rather than the temporary file."""
    reason = (exc.strerror or type(exc).__name__).lower()
    blocker = next((p for p in target.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        reason = f"{str(blocker)!r} is a file, not a folder"
    return DxfError(
        Problem(
            f"cannot write here: {reason}",
            file=str(target),
            hint="choose a folder you can write to",
        )
    )


# -- output folders -----------------------------------------------------------------------------
def _absolute(path: str | Path) -> Path:
    return Path(path).expanduser().resolve()


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies below it (both absolute)."""
    return path == folder or folder in path.parents


def _alive(pid: int) -> bool:
    """Whether another process ``pid`` is running (not known on Windows: taken as no)."""
    if pid == os.getpid() or os.name == "nt":
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # running, as another user
    except OSError:
        return False
    return True


def _leftovers(out: Path) -> tuple[list[Path], list[Path]]:
    """The ``.dxf-tmp-…`` and ``.dxf-old-…`` folders of ended runs beside ``out``."""
    pattern = re.compile(
        r"(?P<kind>"
        + re.escape(_TMP)
        + "|"
        + re.escape(_OLD)
        + ")"
        + re.escape(out.name)
        + r"-(?P<pid>\d+)-[0-9a-f]{8}"
    )
    tmps: list[Path] = []
    olds: list[Path] = []
    if not out.parent.is_dir():
        return tmps, olds
    for p in sorted(out.parent.iterdir()):
        m = pattern.fullmatch(p.name)
        if m is None or not p.is_dir() or _alive(int(m["pid"])):
            continue
        (tmps if m["kind"] == _TMP else olds).append(p)
    return tmps, olds


def recover_leftovers(target: str | Path) -> list[str]:
    """Tidy what a killed run left beside the output folder ``target``.

    A run killed between renaming the previous folder aside and renaming the new one into
    place leaves no ``target`` but a ``.dxf-old-…`` folder: it is renamed back, so the folder
    is as it was before that run. Unfinished ``.dxf-tmp-…`` folders, and ``.dxf-old-…``
    folders whose target is in place (a kill while the old folder was being removed), are
    removed. Folders of a run still in progress (its process is alive) are left alone.

    Returns
    -------
    list of str
        One line per action, for the user.
    """
    out = _absolute(target)
    tmps, olds = _leftovers(out)
    done: list[str] = []
    if olds and not (out.exists() or out.is_symlink()):
        olds.sort(key=lambda p: p.stat().st_mtime_ns)
        previous = olds.pop()
        os.rename(previous, out)
        done.append(
            f"restored the output folder {out} from {previous.name}, left by an interrupted run"
        )
    stale = [(p, "previous output") for p in olds] + [(p, "unfinished output") for p in tmps]
    for p, what in stale:
        try:
            shutil.rmtree(p)
        except OSError as exc:
            done.append(f"could not remove {p} ({what} of an interrupted run): {exc}")
        else:
            done.append(f"removed {p}, the {what} of an interrupted run")
    return done


def _marker(folder: Path) -> dict[str, Any] | None:
    """The marker of an output folder, or None when it has none (or an unreadable one)."""
    try:
        doc = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list):
        return None
    return doc


def _foreign_files(folder: Path) -> list[str] | None:
    """Files of an output folder that its markers do not list; None when it has no marker.

    A sub-folder whose own marker the folder's marker lists (one level of a run, say) is
    checked against its own marker: it may have been written again on its own since.
    """
    doc = _marker(folder)
    if doc is None:
        return None
    listed = {str(f) for f in doc["files"]}
    foreign: list[str] = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        for d in list(dirs):
            rel = (here / d).relative_to(folder).as_posix()
            inner = _foreign_files(here / d) if f"{rel}/{MARKER}" in listed else None
            if inner is not None:
                dirs.remove(d)  # checked against its own marker
                foreign += [f"{rel}/{f}" for f in inner]
        for f in files:
            rel = (here / f).relative_to(folder).as_posix()
            if rel != MARKER and rel not in listed:
                foreign.append(rel)
    return sorted(foreign)


def _check_replaceable(out: Path, shown: str) -> None:
    """Refuse an output folder whose files are not all outputs of dxf (they would be lost).

    ``out`` is the absolute folder, ``shown`` the name the user gave, for the messages.
    """
    if not (out.exists() or out.is_symlink()):
        return
    if not out.is_dir():
        raise DxfError(
            Problem("the output folder is a file", file=shown, hint="choose an empty or new folder")
        )
    with contextlib.suppress(OSError):
        if _within(Path.cwd().resolve(), out):
            raise DxfError(
                Problem(
                    "the output folder holds the current folder, which writing would replace",
                    file=shown,
                    hint="choose another folder, or run from outside this one",
                )
            )
    if next(out.iterdir(), None) is None:
        return
    foreign = _foreign_files(out)
    if foreign is None:
        raise DxfError(
            Problem(
                "the output folder is not empty and was not written by dxf: writing would "
                "delete its files",
                file=shown,
                hint="choose an empty or new folder",
            )
        )
    if foreign:
        listing = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise DxfError(
            Problem(
                f"the output folder holds files that are not part of its run ({listing}): "
                "writing would delete them",
                file=shown,
                hint="move them out, or choose an empty or new folder",
            )
        )


def _staged(out: Path) -> tuple[Path, Path] | None:
    """``(target, staging folder)`` of the write in progress that ``out`` lies in, if any."""
    return next(((t, s) for t, s in reversed(_STAGING.get()) if _within(out, t)), None)


def check_inputs_outside(out_dir: str | Path, inputs: Iterable[str | Path | None]) -> None:
    """Check, before computing anything, that a command may write its outputs into ``out_dir``.

    Every command with ``--out`` calls this first. It tidies the leftovers of a killed run
    beside ``out_dir`` (see :func:`recover_leftovers`; a warning says what was done), then
    refuses (:class:`DxfError`, exit 2 at the command line):

    - an input file or folder inside ``out_dir``: writing replaces the folder, so the input
      would be lost; and an ``out_dir`` inside an input folder, which writing would change;
    - an ``out_dir`` that is not empty and not a dxf output folder (no marker, or files the
      marker does not list): someone's files.

    Parameters
    ----------
    out_dir
        The output folder (it need not exist).
    inputs
        Paths the command reads; ``None`` and paths that do not exist (a pipeline given by
        name, say) are skipped.
    """
    out = _absolute(out_dir)
    staged = _staged(out) is not None  # inside a write in progress: that one checked the folder
    if not staged:
        for line in recover_leftovers(out):
            warnings.warn(line, OutputWarning, stacklevel=2)
    problems = []
    for item in inputs:
        if item is None or not Path(item).exists():
            continue
        where = _absolute(item)
        if _within(where, out):
            problems.append(
                Problem(
                    "this input is inside the output folder, which writing replaces",
                    file=str(item),
                    hint=f"choose an output folder that holds no input (not {out_dir})",
                )
            )
        elif where.is_dir() and _within(out, where):
            problems.append(
                Problem(
                    f"the output folder {out_dir} is inside this input folder: writing would "
                    "change the input",
                    file=str(item),
                    hint="choose an output folder outside the input folders",
                )
            )
    if problems:
        raise DxfError(problems)
    if not staged:
        _check_replaceable(out, str(out_dir))


@contextmanager
def recording_command(command: str, options: Mapping[str, Any]) -> Iterator[None]:
    """Record ``command`` and its ``options`` in the markers of the folders written inside
    the block (the ``dxf`` commands do; io knows nothing of the command line)."""
    token = _COMMAND.set((command, dict(options)))
    try:
        yield
    finally:
        _COMMAND.reset(token)


def _command(default: str | None) -> dict[str, Any]:
    """The command writing the outputs: the ``dxf`` command and its options, if one runs."""
    running = _COMMAND.get()
    if running is None:
        return {"command": default or "dxframework", "options": {}}
    return {"command": running[0], "options": running[1]}


def _write_marker(folder: Path, command: str | None) -> None:
    files = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p != folder / MARKER
    )
    doc = {
        "written_by": f"dxframework {__version__}",
        **_command(command),
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": files,
    }
    (folder / MARKER).write_text(_json_text(doc), encoding="utf-8")


def _sync(folder: Path) -> None:
    """Flush every file of ``folder`` to disk, so a crash cannot leave renamed empty files."""
    if os.name == "nt":
        return
    for p in [*folder.rglob("*"), folder]:
        with contextlib.suppress(OSError):
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _swap(tmp: Path, out: Path) -> None:
    """Put the complete folder ``tmp`` in place of ``out``: rename aside, rename in, remove."""
    if not (out.exists() or out.is_symlink()):
        os.rename(tmp, out)
        return
    old = out.parent / f"{_OLD}{out.name}-{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)  # what is left, the next run removes


@contextmanager
def atomic_folder(target: str | Path, command: str | None = None) -> Iterator[Path]:
    """Yield an empty folder to write into; on success it replaces ``target`` whole.

    The folder is ``.dxf-tmp-NAME-…`` beside ``target``. When the block ends without error, a
    marker (:data:`MARKER`: the command, the time, the files) is written into it and it is
    swapped in: the previous ``target`` is renamed ``.dxf-old-NAME-…``, the new folder renamed
    ``target``, the old one removed. A run either replaces the folder or leaves it as it was;
    files of an earlier run never stay beside new ones. On error the new folder is removed,
    with any parent folders this call created.

    Before writing, leftovers of a killed run are tidied (:func:`recover_leftovers`, with a
    warning), and a ``target`` that is not empty and not a dxf output folder is refused
    (:class:`DxfError`): its files are someone's.

    A call for a folder inside one being written (``atomic_folder(out / "district")`` within
    ``atomic_folder(out)``) writes into the outer staging folder, so a command writes all its
    outputs in one swap; the sub-folder gets its own marker.

    Parameters
    ----------
    target
        The output folder.
    command
        What writes, for the marker when no ``dxf`` command is running (the command and its
        options are recorded when one is).
    """
    out = _absolute(target)
    outer = _staged(out)
    if outer is not None:
        real, staging = outer
        folder = staging / out.relative_to(real)
        fresh = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
        try:
            yield folder
        except BaseException:
            if fresh:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        if folder != staging:
            _write_marker(folder, command)
        return
    inner = [t for t, _ in _STAGING.get() if _within(t, out)]
    if inner:
        raise ValueError(f"cannot replace {out} while writing {inner[0]}, which lies inside it")
    parent = out.parent
    if parent == out:
        raise DxfError(
            Problem("cannot replace the root folder", file=str(out), hint="choose a new folder")
        )
    created = [d for d in (parent, *parent.parents) if not d.exists()]  # deepest first
    tmp: Path | None = None
    token = None
    done = False
    try:
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unwritable(Path(target), exc) from exc
        for line in recover_leftovers(out):
            warnings.warn(line, OutputWarning, stacklevel=3)
        _check_replaceable(out, str(target))
        tmp = parent / f"{_TMP}{out.name}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            tmp.mkdir()
        except OSError as exc:
            tmp = None
            raise _unwritable(Path(target), exc) from exc
        token = _STAGING.set((*_STAGING.get(), (out, tmp)))
        yield tmp
        _STAGING.reset(token)
        token = None
        _write_marker(tmp, command)
        _sync(tmp)
        _swap(tmp, out)
        logger.info("wrote %s", out)
        done = True
    finally:
        if token is not None:
            _STAGING.reset(token)
        if not done:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            for d in created:
                with contextlib.suppress(OSError):
                    d.rmdir()


def write_text_files(
    out: str | Path, files: Mapping[str, Mapping[str, str]], command: str | None = None
) -> list[Path]:
    """Write text files into ``out`` in one swap (see :func:`atomic_folder`).

    ``files`` maps a sub-folder (``""``: ``out`` itself) to file names and their texts; each
    sub-folder gets its own marker. Returns the paths written.
    """
    root = Path(out)
    written: list[Path] = []
    with atomic_folder(root, command):
        for sub, texts in files.items():
            target = root / sub if sub else root
            with atomic_folder(target, command) as tmp:
                for name, text in texts.items():
                    (tmp / name).write_text(text, encoding="utf-8")
                    written.append(target / name)
    return written


def write_run(result: RunOutput, out: str | Path) -> list[Path]:
    """Write one CSV per stage, ``results.csv``, ``records.json`` and ``manifest.json``.

    Returns the paths written (the marker aside). Nothing is written unless everything is,
    and the files replace ``out`` whole (see :func:`atomic_folder`).
    """
    names: list[str] = []
    with atomic_folder(out, "dxframework.write_run") as tmp:
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
    logger.info("wrote %d files of a run to %s", len(names), out)
    return [Path(out) / n for n in names]
