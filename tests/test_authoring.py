"""The authoring kit: conformance checks, `dxf check-pack`, and `dxf new-pack` end to end."""

from __future__ import annotations

import os
import re
import subprocess
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner

from dxframework import MetricPack
from dxframework.cli import cli
from dxframework.packs.scaffold import scaffold_pack
from dxframework.testing import assert_pack_conforms, check_pack

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["asem", "egdi", "vn-dti", "backan"])
def test_bundled_packs_pass_check_pack(name: str) -> None:
    """Every bundled pack passes `dxf check-pack` (exit 0, every check ok)."""
    result = CliRunner().invoke(cli, ["check-pack", name])
    assert result.exit_code == 0, result.output
    assert "checks passed" in result.output
    assert check_pack(name).passed


def test_broken_pack_fails_with_a_readable_report(tmp_path: Path) -> None:
    """A node without a Vietnamese name and an indicator without a unit are named in the report."""
    folder = scaffold_pack("broken", tmp_path)
    fw = folder / "src" / "dxf_broken" / "data" / "framework.toml"
    text = fw.read_text(encoding="utf-8")
    text = text.replace('name_vi = "Nhận thức số"\n', "").replace('unit = "yes/no"\n', "")
    fw.write_text(text, encoding="utf-8")
    pack = MetricPack.from_toml(folder / "src" / "dxf_broken" / "pack.toml")
    report = check_pack(pack)
    failed = {c.name: c.message for c in report.failures}
    assert "NT" in failed["names in both languages"]
    assert "NT2" in failed["units and directions set"]
    with pytest.raises(AssertionError, match="FAIL"):
        assert_pack_conforms(pack)


def test_new_pack_refuses_bad_name_and_existing_folder(tmp_path: Path) -> None:
    """An invalid name or an existing folder exits 2 and writes nothing."""
    runner = CliRunner()
    bad = runner.invoke(cli, ["new-pack", "Bad Name", "--dir", str(tmp_path)])
    assert bad.exit_code == 2 and "invalid pack name" in bad.output
    (tmp_path / "dxf-taken").mkdir()
    taken = runner.invoke(cli, ["new-pack", "taken", "--dir", str(tmp_path)])
    assert taken.exit_code == 2 and "already exists" in taken.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dxf-taken"]


def _tutorial_commands() -> str:
    """The first bash block of the tutorial "Write a metric pack for your province"."""
    text = (REPO / "docs" / "tutorial-pack.md").read_text(encoding="utf-8")
    match = re.search(r"```bash\n(.*?)```", text, re.S)
    assert match, "the tutorial has no bash block"
    return match.group(1)


@pytest.mark.slow
def test_tutorial_in_a_fresh_virtual_environment(tmp_path: Path) -> None:
    """The tutorial's commands work as written in a new virtual environment.

    dxf new-pack → pip install -e → its tests pass → dxf packs lists it → dxf check-pack
    passes. dxframework is installed from this repository, as a consultant would do it.
    """
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(env_dir)

    def run(*args: str) -> str:
        done = subprocess.run(
            list(args), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
        )
        assert done.returncode == 0, f"{args}: {done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    run(str(bindir / "python"), "-m", "pip", "install", "-q", "-e", str(REPO))
    output = run("bash", "-e", "-c", _tutorial_commands())
    assert "2 passed" in output  # the new pack's own tests
    assert "quang-ninh-dx" in output  # dxf packs lists it
    assert "9/9 checks passed" in output  # dxf check-pack passes
