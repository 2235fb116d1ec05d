"""The documentation builds without warnings and stays in step with the code and the README.

A hook or a built-in method missing from the docs fails a test (datasette's rule), and the
example files the docs include are run, so a page cannot show code that no longer works.
"""

from __future__ import annotations

import importlib.util
import pkgutil
import re
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import dxframework as dxf
import dxframework.methods
from dxframework.plugins import register_plugin, unregister_plugin
from dxframework.plugins.hookspecs import HOOK_NAMES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"


def _bash_blocks(text: str) -> list[str]:
    """Contents of the fenced ```bash blocks of a Markdown text, in order."""
    return re.findall(r"^```bash\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def _asem() -> dxf.MetricPack:
    if "asem" not in dxf.get_registry().packs:
        pytest.skip("the asem pack is not installed (pip install -e plugins/dxf-asem)")
    return dxf.get_pack("asem")


@pytest.fixture(scope="module")
def docs_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path, str]:
    """Build the HTML docs once: (exit status, output folder, warnings text)."""
    build = pytest.importorskip("sphinx.cmd.build")
    out = tmp_path_factory.mktemp("docs-html")
    warnings_file = out.parent / "sphinx-warnings.txt"
    status = build.build_main(
        ["-W", "--keep-going", "-q", "-w", str(warnings_file), "-b", "html", str(DOCS), str(out)]
    )
    warnings = warnings_file.read_text(encoding="utf-8") if warnings_file.exists() else ""
    return status, out, warnings


@pytest.mark.slow
def test_docs_build_without_warnings(docs_build: tuple[int, Path, str]) -> None:
    """sphinx-build -W (warnings are errors) succeeds: no broken reference, no bad docstring."""
    status, _, warnings = docs_build
    assert status == 0, f"sphinx-build -W failed:\n{warnings}"


def test_getting_started_has_the_readme_setup_commands() -> None:
    """The README's two set-up commands appear verbatim, as bash blocks, in getting-started."""
    readme = _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8"))[:2]
    page = _bash_blocks((DOCS / "getting-started.md").read_text(encoding="utf-8"))
    assert len(readme) == 2, "README.md should open with two ```bash set-up blocks"
    for block in readme:
        assert block in page, f"getting-started.md lacks the README command:\n{block}"


@pytest.mark.slow
def test_every_hook_is_documented(docs_build: tuple[int, Path, str]) -> None:
    """Every hook has an entry (a docstring rendered by autodoc) on the built plugins page."""
    _, out, _ = docs_build
    html = (out / "plugins.html").read_text(encoding="utf-8")
    missing = [h for h in HOOK_NAMES if f'id="dxframework.plugins.hookspecs.{h}"' not in html]
    assert not missing, f"hooks missing from the plugins page (give them a docstring): {missing}"


def test_every_hook_is_in_the_plugins_overview() -> None:
    """The overview table of docs/plugins.md names every hook."""
    text = (DOCS / "plugins.md").read_text(encoding="utf-8")
    missing = [h for h in HOOK_NAMES if f"`{h}`" not in text]
    assert not missing, f"add these hooks to the table in docs/plugins.md: {missing}"


def test_every_builtin_method_is_in_the_methods_page() -> None:
    """Each built-in method is described in docs/methods.md, with its status mark."""
    text = (DOCS / "methods.md").read_text(encoding="utf-8")
    missing = [
        f"{family}:{name}"
        for family, methods in dxf.get_registry().methods.items()
        for name, method in methods.items()
        if method.plugin == "builtin"
        and (f"`{name}`" not in text or f"{{dxf-status}}`{family}:{name}`" not in text)
    ]
    assert not missing, (
        "describe these methods in docs/methods.md, each as `name` {dxf-status}`family:name` "
        f"followed by its formula: {missing}"
    )


def test_every_methods_module_is_in_the_api_page() -> None:
    """docs/api.md documents every public module of dxframework.methods."""
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    modules = [m.name for m in pkgutil.iter_modules(dxframework.methods.__path__) if not m.ispkg]
    missing = [
        m
        for m in modules
        if not m.startswith("_") and f".. automodule:: dxframework.methods.{m}\n" not in text
    ]
    assert not missing, f"add these modules to docs/api.md: {missing}"


def test_framework_example_reads_the_same_from_toml_and_csv() -> None:
    """The how-to's two forms declare one framework; staff's effective weight sums 3 paths."""
    toml = dxf.read_framework(EXAMPLES / "framework.toml")
    csv = dxf.read_framework(EXAMPLES / "framework.csv")
    edges = {(e.child, e.parent, e.weight) for e in toml.framework.edges}
    assert edges == {(e.child, e.parent, e.weight) for e in csv.framework.edges}
    assert toml.framework.index == csv.framework.index == "DTI"
    assert toml.groups == csv.groups == ("region_group",)
    assert toml.auxiliary == csv.auxiliary == ("population",)
    eff = toml.framework.effective_weights()
    assert eff["staff"] == pytest.approx(1 / 3 + 2 * (1 / 3) * (1 / 3), rel=1e-12)
    assert eff["eservices"] == pytest.approx(2 / 9, rel=1e-12)


def test_framework_example_scores_as_documented(tmp_path: Path) -> None:
    """The how-to's Python session runs: data, pipeline (repeated impute) and ranking."""
    spec = dxf.read_framework(EXAMPLES / "framework.toml")
    fw = spec.framework
    schema = dxf.TableSchema(
        unit_column="unit",
        name_column="name",
        group_columns=spec.groups,
        numeric=fw.indicator_codes + spec.auxiliary,
        required=fw.indicator_codes,
    )
    data = dxf.read_dataset(EXAMPLES / "data.csv", schema)
    assert data.shape == (1, 5, 5)
    result = dxf.run_pipeline(fw, data, dxf.Pipeline.from_file(EXAMPLES / "pipeline.toml"))
    names = [s.name for s in result.stages]
    assert names == ["denominated", "imputed", "imputed_2", "normalised", "aggregated"]
    assert [r[1] for r in result.ranking()[:2]] == ["DN", "HN"]
    written = dxf.write_run(result, tmp_path / "out")
    assert {p.name for p in written} >= {"results.csv", "records.json", "manifest.json"}


def test_tutorial_pipeline_merges_overrides_key_by_key() -> None:
    """The tutorial's pipeline: Flights keeps the stage's keys, LPI starts from its own."""
    pack = _asem()
    result = pack.run(pipeline=dxf.Pipeline.from_file(EXAMPLES / "asem-variant.toml"))
    treated = result.record("treated")["indicators"]
    assert treated["Flights"]["params"] == {"skew_max": 2.0, "kurt_max": 3.5, "winmax": 3}
    normalised = result.record("normalised")["indicators"]
    assert normalised["LPI"]["method"] == "distance_to_target"
    assert normalised["LPI"]["params"] == {"scale": 100}
    assert result.record("aggregated")["aggregates"]["Index"]["method"] == "geometric"


def _load_example_plugin() -> ModuleType:
    path = EXAMPLES / "dxf_logistic.py"
    spec = importlib.util.spec_from_file_location("dxf_logistic", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_plugin_example_registers_and_runs() -> None:
    """The how-to's plugin registers 'logistic', and a pipeline uses it by name."""
    pack = _asem()
    plugin = _load_example_plugin()
    register_plugin(plugin, name="logistic-example")
    try:
        method = dxf.get_registry().method("normalise", "logistic")
        assert method.plugin == "logistic-example"
        pipe = pack.pipeline().replace_stage("normalised", method="logistic", params={})
        values = pack.run(pipeline=pipe)["normalised"].values
        present = values[~np.isnan(values)]
        assert present.size > 0 and np.all((present > 0) & (present < 100))
    finally:
        unregister_plugin("logistic-example")
    assert "logistic" not in dxf.get_registry().methods["normalise"]
