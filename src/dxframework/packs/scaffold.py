"""``dxf new-pack``: scaffold an installable metric-pack plugin that passes its own tests."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import jinja2

from dxframework._version import __version__
from dxframework.errors import DxfError, Problem

__all__ = ["scaffold_pack"]

_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_HERE = Path(__file__).parent / "scaffold"

#: template → path in the new package ({module} is replaced)
_FILES = {
    "pyproject.toml.j2": "pyproject.toml",
    "README.md.j2": "README.md",
    "__init__.py.j2": "src/{module}/__init__.py",
    "pack.toml.j2": "src/{module}/pack.toml",
    "framework.toml.j2": "src/{module}/data/framework.toml",
    "sample.csv.j2": "src/{module}/data/sample.csv",
    "default.toml.j2": "src/{module}/pipelines/default.toml",
    "templates-README.md.j2": "src/{module}/templates/README.md",
    "test_pack.py.j2": "tests/test_pack.py",
}

_LEVELS_VI = {"province": "tỉnh", "district": "huyện", "commune": "xã", "department": "sở, ngành"}


def scaffold_pack(
    name: str,
    directory: str | Path = ".",
    title_en: str | None = None,
    title_vi: str | None = None,
    level: str = "district",
) -> Path:
    """Write a new pack plugin ``dxf-NAME`` into ``directory``; return its folder.

    The folder is written completely or not at all; an existing folder is never overwritten.
    """
    if not _NAME.match(name):
        raise DxfError(
            Problem(
                f"invalid pack name {name!r}",
                hint="use lowercase letters, digits and hyphens, e.g. 'hanoi-dx'",
            )
        )
    target = Path(directory) / f"dxf-{name}"
    if target.exists():
        raise DxfError(
            Problem(
                "the folder already exists",
                file=str(target),
                hint="choose another name or directory",
            )
        )
    module = "dxf_" + name.replace("-", "_")
    context = {
        "name": name,
        "dist": f"dxf-{name}",
        "module": module,
        "level": level,
        "level_vi": _LEVELS_VI.get(level, level),
        "title_en": title_en or f"{name} digital transformation index",
        "title_vi": title_vi or f"Bộ chỉ số chuyển đổi số {name}",
        "dxf_version": __version__,
    }
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dxf-new-", dir=target.parent))
    try:
        for template, rel in _FILES.items():
            path = tmp / rel.format(module=module)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(env.get_template(template).render(context), encoding="utf-8")
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
