"""``dxf report``, ``tasks``, ``templates``, ``demo``: the documents."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table

from dxframework.cli.app import (
    DataInput,
    cli,
    data_option,
    handle_errors,
    lang_option,
    level_option,
    out,
    out_option,
    pack_option,
    pipeline_option,
    registry,
    score_levels,
    split_csv,
)
from dxframework.errors import DxfError, Problem

if TYPE_CHECKING:
    from dxframework.report.build import RenderedDocument

DOCUMENT_NAMES = ("proposal", "plan", "tasks")


@cli.command("report")
@pack_option
@level_option
@data_option
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
@click.option(
    "--tasks",
    "tasks_file",
    type=click.Path(path_type=Path),
    default=None,
    help="An updated copy of the task catalogue (CSV, Excel or JSON).",
)
@out_option("the documents")
@handle_errors
def report_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    pipeline: str | None,
    lang: str,
    formats: str,
    documents: str,
    templates_dir: Path | None,
    tasks_file: Path | None,
    out_dir: Path,
) -> None:
    """Render the proposal, the annual plan and the priority task list from scored data."""
    from dxframework.io.writers import check_inputs_outside
    from dxframework.report.output import write_documents

    given = data.paths if data is not None else ()
    check_inputs_outside(out_dir, [*given, pipeline, templates_dir, tasks_file])
    rendered = _render(
        pack_name,
        level,
        data,
        pipeline,
        lang,
        split_csv(documents),
        templates_dir,
        tasks_file,
    )
    paths = write_documents(rendered, out_dir, split_csv(formats), user_dir=templates_dir)
    for p in paths:
        out.print(f"wrote {p}", markup=False)


def _render(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    pipeline: str | None,
    lang: str,
    documents: list[str],
    templates_dir: Path | None,
    tasks_file: Path | None,
) -> list[RenderedDocument]:
    """Score the pack and render the documents (nothing is written)."""
    from dxframework.report.build import render_documents

    if templates_dir is not None and not templates_dir.is_dir():
        raise DxfError(Problem("template folder not found", file=str(templates_dir)))
    pack = registry().pack(pack_name)
    results = score_levels(pack, level, data, pipeline)
    tasks = pack.tasks(tasks_file) if tasks_file is not None else None
    return render_documents(pack, results, lang, documents, user_dir=templates_dir, tasks=tasks)


@cli.command("tasks")
@pack_option
@click.option(
    "--tasks",
    "tasks_file",
    type=click.Path(path_type=Path),
    default=None,
    help="An updated copy of the task catalogue (default: the pack's).",
)
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
    table = Table(title=f"{pack.name}: {len(catalogue.tasks)} tasks")
    for col in ("id", "task", "pillar", "years", "status", "progress"):
        table.add_column(col, justify="right" if col == "progress" else "left")
    for t in catalogue.tasks:
        table.add_row(
            escape(t.id),
            escape(t.text("name", lang)),
            escape(t.pillar),
            f"{t.start}–{t.end}",
            t.status,
            f"{t.progress:.0f}%",
        )
    out.print(table)
    summary = ", ".join(f"{status}: {n}" for status, n in catalogue.summary().items() if n)
    mean = (
        sum(t.progress for t in catalogue.tasks) / len(catalogue.tasks) if catalogue.tasks else 0.0
    )
    out.print(f"{summary}; mean progress {mean:.0f}%", markup=False)


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
    from dxframework.report.environment import template_sources

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
    from dxframework.report.environment import template_sources

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
@handle_errors
def demo_cmd(out_dir: Path, lang: str) -> None:
    """The main job on the bundled Bắc Kạn demo data (synthetic).

    Scores the districts and communes, writes every stage's data set, and writes the
    proposal, the annual plan and the priority task list as HTML, Markdown and DOCX.
    """
    reg = registry()
    if "backan" not in reg.packs:
        raise DxfError(
            Problem("the demo needs the backan pack", hint="pip install -e plugins/dxf-backan")
        )
    from dxframework.cli.scoring import run_and_write
    from dxframework.io.writers import atomic_folder, check_inputs_outside
    from dxframework.report.output import write_documents

    check_inputs_outside(out_dir, [])
    rendered = _render("backan", None, None, None, lang, list(DOCUMENT_NAMES), None, None)
    with atomic_folder(out_dir):  # results and documents in one swap: all or nothing
        run_and_write("backan", None, None, None, None, None, out_dir / "results", 5)
        paths = write_documents(rendered, out_dir / "documents", ["html", "md", "docx"])
    out.print("[bold]Documents[/bold] (synthetic demo data):")
    for p in paths:
        out.print(f"  {p}", markup=False)
