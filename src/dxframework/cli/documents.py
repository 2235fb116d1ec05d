"""``dxf report``, ``tasks``, ``templates``, ``demo``: the documents."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from dxframework.cli.app import (
    DataInput,
    cli,
    data_option,
    framework_option,
    handle_errors,
    lang_option,
    level_option,
    out,
    out_option,
    pack_option,
    period_option,
    pipeline_option,
    progress_bar,
    registry,
    score_levels,
    split_csv,
    tasks_option,
)
from dxframework.cli.scoring import print_written
from dxframework.errors import DxfError, Problem
from dxframework.io.writers import atomic_folder, check_inputs_outside
from dxframework.packs.runs import write_results
from dxframework.pipeline.result import RunResult

if TYPE_CHECKING:
    from dxframework.report.build import RenderedDocument

# dxframework.report needs the report extra (matplotlib, python-docx): it is imported by the
# commands that write documents, so that the others run without it.

DOCUMENT_NAMES = ("proposal", "plan", "tasks")
#: The years a document's date and plan year may take (as its term: 2026-2030).
YEARS = (1900, 2200)

#: The words of ``dxf tasks`` (the statuses as the documents write them).
STATUS_TEXT = {
    "vi": {
        "planned": "Chưa triển khai",
        "in_progress": "Đang thực hiện",
        "done": "Hoàn thành",
        "delayed": "Chậm tiến độ",
        "cancelled": "Dừng thực hiện",
    },
    # English keeps the codes of the catalogue's status column, as before
    "en": {s: s for s in ("planned", "in_progress", "done", "delayed", "cancelled")},
}
TASK_WORDS = {
    "vi": {
        "title": "{pack}: {n} nhiệm vụ",
        "id": "Mã",
        "task": "Nhiệm vụ",
        "pillar": "Trụ cột",
        "years": "Thời gian",
        "status": "Tình trạng",
        "progress": "Tiến độ",
        "mean": "tiến độ trung bình",
    },
    "en": {
        "title": "{pack}: {n} tasks",
        "id": "id",
        "task": "task",
        "pillar": "pillar",
        "years": "years",
        "status": "status",
        "progress": "progress",
        "mean": "mean progress",
    },
}


def document_options(func: Any) -> Any:
    """``--org``, ``--date``, ``--number``, ``--plan-year`` and ``--term``: who issues the
    documents, when, under which number, for which plan year and which period (the options
    of ``dxf report`` and ``dxf demo``, defined once)."""
    options = [
        click.option(
            "--org",
            "org_file",
            type=click.Path(path_type=Path),
            default=None,
            help="An organisation profile (TOML): issuing body, place, signer, recipients, "
            "symbols.",
        ),
        click.option(
            "--date",
            "doc_date",
            default=None,
            help="The date of the documents, 2022-03-17 or 17/03/2022 (default: today).",
        ),
        click.option(
            "--number",
            default=None,
            help="The document number before the symbol: 45 gives 'Số: 45/ĐA-UBND' "
            "(default: blank).",
        ),
        click.option(
            "--plan-year",
            type=click.IntRange(*YEARS),
            default=None,
            help="The year of the annual plan (default: the year after the latest data).",
        ),
        click.option(
            "--term",
            default=None,
            help="The proposal's own period, 2026-2030: set in its title ('giai đoạn "
            "2026–2030') and texts (default: the period of the pack's title). Not the data "
            "year (--period) nor the plan year.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def document_settings(
    org_file: Path | None,
    doc_date: str | None,
    number: str | None,
    plan_year: int | None,
    term: str | None,
) -> dict[str, Any]:
    """The keyword arguments of :func:`render_documents` that :func:`document_options`
    gives (the term checked before anything is scored)."""
    if term is not None:
        from dxframework.report.context import parse_term  # the report extra

        parse_term(term)
    return {
        "today": _parse_date(doc_date),
        "plan_year": plan_year,
        "org": org_file,
        "number": _parse_number(number),
        "term": term,
    }


@cli.command("report")
@pack_option
@level_option
@data_option
@framework_option
@period_option
@pipeline_option
@lang_option
@click.option(
    "--format",
    "formats",
    default="html,md,docx",
    show_default=True,
    help="Comma-separated formats: html, md, docx.",
)
@click.option(
    "--documents",
    default="proposal,plan,tasks",
    show_default=True,
    help="Comma-separated documents: proposal, plan, tasks.",
)
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="A folder of templates overriding the pack's and the built-in ones.",
)
@tasks_option
@document_options
@click.option(
    "--profiles",
    default=None,
    help="Units with a profile and a radar chart: all, none, 'top N' or codes separated by "
    "commas (default: all up to 20 units, else the top 10).",
)
@click.option(
    "--texts",
    "texts_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="A folder of narrative texts (necessity.vi.md, viewpoints.vi.md, funding.vi.md, …, "
    "legal_bases.toml) replacing the pack's and the built-in ones.",
)
@click.option(
    "--reference",
    "reference_docx",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="A house-style reference.docx whose styles the DOCX files take.",
)
@out_option("the documents")
@handle_errors
def report_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
    lang: str,
    formats: str,
    documents: str,
    templates_dir: Path | None,
    tasks_file: Path | None,
    org_file: Path | None,
    doc_date: str | None,
    number: str | None,
    plan_year: int | None,
    term: str | None,
    profiles: str | None,
    texts_dir: Path | None,
    reference_docx: Path | None,
    out_dir: Path,
) -> None:
    """Render the proposal, the annual plan and the priority task list from scored data.

    The documents follow Decree 30/2020/NĐ-CP: the issuing body and the national header,
    the number and symbol (``--number``), the place and date line (``--date``), numbered
    parts, the recipients and the signature block, all from the organisation profile
    (the pack's, or ``--org FILE``).
    """
    given = data.paths if data is not None else ()
    check_inputs_outside(
        out_dir, [*given, framework, pipeline, templates_dir, tasks_file, org_file, texts_dir]
    )
    _check_templates(templates_dir)
    if texts_dir is not None and not texts_dir.is_dir():
        raise DxfError(Problem("text folder not found", file=str(texts_dir)))
    settings = document_settings(org_file, doc_date, number, plan_year, term)
    pack = registry().pack(pack_name)
    results = score_levels(pack, level, data, framework, period, pipeline)
    names, fmts = split_csv(documents), split_csv(formats)
    with progress_bar() as bar:
        task = bar.add_task("rendering", total=None)
        rendered = _render(
            pack,
            results,
            lang,
            names,
            templates_dir,
            tasks_file,
            profiles=profiles,
            texts=texts_dir,
            progress=lambda text: bar.update(task, description=f"rendering: {text}"),
            **settings,
        )
        from dxframework.report.output import write_documents  # the report extra

        bar.update(task, description="writing", total=len(rendered) * len(fmts), completed=0)
        paths = write_documents(
            rendered,
            out_dir,
            fmts,
            user_dir=templates_dir,
            progress=lambda name: bar.update(task, advance=1, description=f"wrote {name}"),
            reference=reference_docx,
        )
    for p in paths:
        out.print(f"wrote {p}", markup=False)


def _parse_date(text: str | None) -> dt.date | None:
    """``--date``: 2022-03-17 or 17/03/2022."""
    if text is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
        if not YEARS[0] <= day.year <= YEARS[1]:
            raise DxfError(
                Problem(
                    f"--date {text!r}: the year {day.year} is not between {YEARS[0]} and "
                    f"{YEARS[1]}",
                    hint="write the date of the documents, e.g. 2022-03-17 or 17/03/2022",
                )
            )
        return day
    raise DxfError(Problem(f"--date {text!r} is not a date", hint="write 2022-03-17 or 17/03/2022"))


#: A document symbol: letters, a hyphen, letters ("ĐA-UBND", "KH-UBND", "QĐ-UBND").
_SYMBOL = re.compile(r"[^\W\d_]+\s*[-‐–]\s*[^\W\d_]+")


def _parse_number(text: str | None) -> str | None:
    """``--number``: the number before the symbol ("45", "45/2024"), spaces tidied; blank
    is no number. A number holding a symbol ("45/ĐA-UBND") is refused: the symbol comes
    from the organisation profile, and would be written twice."""
    if text is None:
        return None
    number = " ".join(text.split())
    if not number:
        return None
    symbol = next((p for p in number.split("/") if _SYMBOL.search(p)), None)
    if symbol is not None:
        given = number.split("/")[0].strip()
        raise DxfError(
            Problem(
                f"--number {text!r} holds a document symbol ({symbol.strip()}), which the "
                "documents add after the number",
                hint=f"give the number only (--number {given or '45'}); the symbols are in "
                "the organisation profile ([symbols] of --org)",
            )
        )
    return number


def _check_templates(templates_dir: Path | None) -> None:
    if templates_dir is not None and not templates_dir.is_dir():
        raise DxfError(Problem("template folder not found", file=str(templates_dir)))


def _render(
    pack: Any,
    results: Mapping[str, RunResult],
    lang: str,
    documents: list[str],
    templates_dir: Path | None,
    tasks_file: Path | None,
    **options: Any,
) -> list[RenderedDocument]:
    """Render the documents of the scored levels (nothing is written).

    ``options``: ``today``, ``plan_year``, ``org``, ``number``, ``term``… of
    :func:`render_documents`.
    """
    from dxframework.report.build import render_documents  # the report extra

    tasks = pack.tasks(tasks_file) if tasks_file is not None else None
    return render_documents(
        pack, results, lang, documents, user_dir=templates_dir, tasks=tasks, **options
    )


@cli.command("tasks")
@pack_option
@tasks_option
@click.option(
    "--copy",
    "copy_to",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the pack's catalogue to this CSV file, to keep it up to date.",
)
@lang_option
@handle_errors
def tasks_cmd(pack_name: str, tasks_file: Path | None, copy_to: Path | None, lang: str) -> None:
    """Report on the priority tasks: status, progress and pillar of each.

    ``--copy FILE`` writes the pack's catalogue for editing (in Excel or any editor);
    report on the edited copy with ``dxf tasks --tasks FILE`` or ``dxf report --tasks FILE``.
    """
    pack = registry().pack(pack_name)
    if copy_to is not None:
        if pack.tasks_file is None:
            raise DxfError(Problem(f"pack {pack_name!r} ships no task catalogue"))
        if copy_to.exists():
            raise DxfError(
                Problem("the file already exists", file=str(copy_to), hint="choose another name")
            )
        copy_to.parent.mkdir(parents=True, exist_ok=True)
        copy_to.write_bytes((pack.root / pack.tasks_file).read_bytes())
        out.print(f"copied the task catalogue to {copy_to}", markup=False)
        return
    catalogue = pack.tasks(tasks_file)
    catalogue.check_codes(pack.level().framework.nodes)
    words = TASK_WORDS[lang if lang in TASK_WORDS else "en"]
    statuses = STATUS_TEXT[lang if lang in STATUS_TEXT else "en"]
    table = Table(title=words["title"].format(pack=pack.name, n=len(catalogue.tasks)))
    for key in ("id", "task", "pillar", "years", "status", "progress"):
        table.add_column(words[key], justify="right" if key == "progress" else "left")
    for t in catalogue.tasks:
        table.add_row(
            escape(t.id),
            escape(t.text("name", lang)),
            escape(t.pillar),
            f"{t.start}–{t.end}",
            escape(statuses.get(t.status, t.status)),
            f"{t.progress:.0f}%",
        )
    out.print(table)
    summary = ", ".join(
        f"{statuses.get(status, status)}: {n}" for status, n in catalogue.summary().items() if n
    )
    mean = (
        sum(t.progress for t in catalogue.tasks) / len(catalogue.tasks) if catalogue.tasks else 0.0
    )
    out.print(f"{summary}; {words['mean']} {mean:.0f}%", markup=False)


@cli.group("templates")
def templates_group() -> None:
    """List the document templates, or copy one to edit it locally."""


@templates_group.command("list")
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="A user template folder to include.",
)
@handle_errors
def templates_list_cmd(templates_dir: Path | None) -> None:
    """List every template and where it comes from (the first one found is used)."""
    from dxframework.report.environment import template_sources  # the report extra

    table = Table(title="Document templates")
    for col in ("template", "from", "used"):
        table.add_column(col)
    seen: set[str] = set()
    for prefix, folder in template_sources(templates_dir):
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            table.add_row(name, f"{prefix}: {folder}", "yes" if name not in seen else "")
            seen.add(name)
    out.print(table)


@templates_group.command("copy")
@click.argument("name")
@click.argument("directory", type=click.Path(path_type=Path))
@handle_errors
def templates_copy_cmd(name: str, directory: Path) -> None:
    """Copy template NAME (e.g. sections/objectives.md.j2) into DIRECTORY to edit it.

    Render with ``dxf report --templates DIRECTORY``: the copy then replaces the original.
    """
    from dxframework.report.environment import template_sources  # the report extra

    rel = Path(name)
    if rel.is_absolute() or ".." in rel.parts:
        raise DxfError(
            Problem(f"invalid template name {name!r}", hint="use a name from 'dxf templates list'")
        )
    for _, folder in template_sources(None):
        source = folder / rel
        if source.is_file():
            target = directory / rel
            if target.exists():
                raise DxfError(
                    Problem(
                        "the file already exists",
                        file=str(target),
                        hint="edit it, or remove it to copy again",
                    )
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            out.print(f"copied {name} to {target}", markup=False)
            return
    raise DxfError(Problem(f"no template {name!r}", hint="see 'dxf templates list'"))


@cli.command("demo")
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("dxf-demo"),
    show_default=True,
    help="Folder for the results.",
)
@lang_option
@document_options
@handle_errors
def demo_cmd(
    out_dir: Path,
    lang: str,
    org_file: Path | None,
    doc_date: str | None,
    number: str | None,
    plan_year: int | None,
    term: str | None,
) -> None:
    """The main job on the bundled Bắc Kạn demo data (synthetic).

    Scores the districts and communes (each level once), writes every stage's data set, and
    writes the proposal, the annual plan and the priority task list as HTML, Markdown and
    DOCX from the same runs. --date, --number, --plan-year, --term and --org are those of
    dxf report.
    """
    reg = registry()
    if "backan" not in reg.packs:
        raise DxfError(
            Problem("the demo needs the backan pack", hint="pip install -e plugins/dxf-backan")
        )
    check_inputs_outside(out_dir, [org_file])
    settings = document_settings(org_file, doc_date, number, plan_year, term)
    pack = reg.pack("backan")
    results = score_levels(pack)
    rendered = _render(pack, results, lang, list(DOCUMENT_NAMES), None, None, **settings)
    from dxframework.report.output import write_documents  # the report extra

    with atomic_folder(out_dir):  # results and documents in one swap: all or nothing
        written = write_results(pack, results, out_dir / "results")
        print_written(pack, results, written, 5)
        paths = write_documents(rendered, out_dir / "documents", ["html", "md", "docx"])
    out.print("[bold]Documents[/bold] (synthetic demo data):")
    for p in paths:
        out.print(f"  {p}", markup=False)
