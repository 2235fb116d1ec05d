"""``dxf packs``, ``plugins``, ``methods``, ``check-pack``, ``new-pack``: what is installed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.table import Table

from dxframework.cli.app import (
    cli,
    err,
    handle_errors,
    out,
    registry,
)
from dxframework.packs.scaffold import scaffold_pack
from dxframework.plugins.manager import plugin_info
from dxframework.testing import check_pack


@cli.command("packs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@handle_errors
def packs_cmd(as_json: bool) -> None:
    """List the installed metric packs."""
    reg = registry()
    rows = [
        {
            "name": name,
            "version": pack.version,
            "plugin": plugin,
            "title_en": pack.title_en,
            "title_vi": pack.title_vi,
            "levels": list(pack.levels),
            "pipelines": sorted({p for lvl in pack.levels.values() for p in lvl.pipelines}),
        }
        for name, (plugin, pack) in sorted(reg.packs.items())
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="Metric packs")
    for col in ("name", "version", "plugin", "title", "levels", "pipelines"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["name"],
            r["version"],
            r["plugin"],
            r["title_en"] or r["title_vi"],
            ", ".join(r["levels"]),
            ", ".join(r["pipelines"]),
        )
    out.print(table)


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@handle_errors
def plugins_cmd(as_json: bool) -> None:
    """List the installed plugins, their versions and the hooks they implement."""
    infos = plugin_info()
    if as_json:
        click.echo(json.dumps([i.to_dict() for i in infos], indent=2, ensure_ascii=False))
        return
    table = Table(title="Plugins")
    for col in ("name", "package", "version", "hooks"):
        table.add_column(col)
    for i in infos:
        hooks = ", ".join(i.hooks) if i.error is None else f"[red]failed: {i.error}[/red]"
        table.add_row(i.name, i.package or "", i.version or "", hooks)
    out.print(table)


@cli.command("methods")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@handle_errors
def methods_cmd(as_json: bool) -> None:
    """List the registered methods of every family and the plugin providing each."""
    reg = registry()
    rows = [
        {"family": fam, "name": m.name, "plugin": m.plugin, "description": m.description}
        for fam, methods in reg.methods.items()
        for m in methods.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="Methods")
    for col in ("family", "name", "plugin", "description"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["family"], r["name"], r["plugin"], r["description"])
    out.print(table)


@cli.command("check-pack")
@click.argument("name")
@handle_errors
def check_pack_cmd(name: str) -> None:
    """Run the conformance checks on an installed pack and print the report.

    Exits 2 when a check fails. A pack's own tests run the same checks with
    ``dxframework.testing.assert_pack_conforms``.
    """
    report = check_pack(name)
    table = Table(title=f"dxf check-pack {name}")
    for col in ("", "level", "check", "details"):
        table.add_column(col)
    for c in report.checks:
        table.add_row(
            "[green]ok[/green]" if c.passed else "[red]FAIL[/red]",
            c.level,
            c.name,
            c.message,
            style=None if c.passed else "red",
        )
    out.print(table)
    passed = sum(c.passed for c in report.checks)
    if report.passed:
        out.print(f"{passed}/{len(report.checks)} checks passed")
        return
    for c in report.failures:
        err.print(f"error: pack {name!r} ({c.level}): {c.name}: {c.message}", markup=False)
    sys.exit(2)


@cli.command("new-pack")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create the dxf-NAME folder.",
)
@click.option("--title-en", default=None, help="English title of the index.")
@click.option("--title-vi", default=None, help="Vietnamese title of the index.")
@click.option(
    "--level",
    default="district",
    show_default=True,
    help="Administrative level the pack scores (province, district, commune…).",
)
@handle_errors
def new_pack_cmd(
    name: str, directory: Path, title_en: str | None, title_vi: str | None, level: str
) -> None:
    """Create an installable metric-pack plugin dxf-NAME that passes its own tests."""
    target = scaffold_pack(name, directory, title_en, title_vi, level)
    out.print(f"created {target}", markup=False)
    out.print(
        f"next: cd {target} && pip install -e '.[test]' && python -m pytest && "
        f"dxf check-pack {name}",
        markup=False,
    )
