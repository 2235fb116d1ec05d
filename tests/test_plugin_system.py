"""The plugin system: one table of kinds, built-ins as ordinary plugins, hooks through pluggy.

What is protected: every place that knows stage kinds reads the one table (and the default
of every kind exists); the default plugins are registered first, by name, and credited to
``builtin``; a hook implemented under a misspelled name fails loading with an error naming the
plugin and the hook; the register callbacks match their typed Protocols; a built-in reader can
be replaced by a plugin; parameters are bound before a method runs, while a TypeError inside
a method propagates; every built-in method passes ``check_method``; the hooks and the docs
agree; the how-to's example plugins load and run.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import importlib.util
import inspect
import re
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

import dxframework as dxf
from dxframework import MethodError, Pipeline, PluginError, Stage, hookimpl, read_dataset
from dxframework.io.raw import RawTable
from dxframework.pipeline import spec
from dxframework.pipeline.stages import RUNNERS
from dxframework.plugins import (
    BUILTIN,
    DEFAULT_PLUGINS,
    ENTRY_POINT_GROUP,
    FAMILIES,
    HOOK_NAMES,
    KINDS,
    get_plugin_manager,
    get_registry,
    hookspecs,
    plugin_info,
    register_plugin,
    registry,
    reset_plugins,
    unregister_plugin,
)
from dxframework.testing import ConformanceError, check_method

F = NDArray[np.float64]
ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "dxframework"
DOCS = ROOT / "docs"


@pytest.fixture(autouse=True)
def fresh_plugins() -> Iterator[None]:
    """Start and end every test with freshly loaded plugins."""
    reset_plugins()
    yield
    reset_plugins()


# -- one table of kinds -------------------------------------------------------------------------
def test_every_view_of_the_stage_kinds_reads_the_one_table() -> None:
    """spec's KINDS/DEFAULT_METHODS, the registry's families, the hooks and the runners all
    cover exactly the kinds of the table, in its order, with its names."""
    names = list(KINDS)
    assert list(spec.KINDS) == names
    assert dict(spec.KINDS) == {k.name: k.dataset for k in KINDS.values()}
    assert dict(spec.DEFAULT_METHODS) == {k.name: k.default for k in KINDS.values()}
    assert dict(FAMILIES) == {k.name: k.hook for k in KINDS.values()}
    assert set(RUNNERS) == set(names)
    pm = get_plugin_manager()
    for kind in KINDS.values():
        assert kind.hook in HOOK_NAMES
        assert getattr(pm.hook, kind.hook).has_spec(), kind.hook
        assert kind.name in (getattr(hookspecs, kind.hook).__doc__ or "")


def test_every_default_method_is_registered() -> None:
    """The default method of every kind exists (denominate's 'ratio' included)."""
    reg = get_registry()
    for kind in KINDS.values():
        method = reg.method(kind.name, kind.default)
        assert method.plugin == BUILTIN, kind.name
    assert Stage("denominate").method == "ratio"


def test_denominate_runs_through_its_registered_method() -> None:
    """A plugin's denomination method replaces 'ratio' for a stage naming it."""

    def per_thousand(x: F, d: F, ctx: Any, scale: float = 1.0) -> F:
        return np.asarray(x / d * 1000.0)

    @hookimpl
    def register_denomination_methods(register: Any) -> None:
        register("per_thousand", per_thousand)

    register_plugin(
        types.SimpleNamespace(register_denomination_methods=register_denomination_methods),
        "per-thousand",
    )
    fw = dxf.Framework(
        [dxf.Indicator("a", denominator="pop")], [dxf.Aggregate("I")], [dxf.Edge("a", "I")]
    )
    data = dxf.Dataset.from_arrays(["u", "v"], ["a", "pop"], [[5.0, 1000.0], [2.0, 500.0]])
    res = dxf.run_pipeline(fw, data, Pipeline([Stage("denominate", "per_thousand")]))
    np.testing.assert_allclose(res["denominated"].values[0, :, 0], [5.0, 4.0])
    res = dxf.run_pipeline(fw, data, Pipeline([Stage("denominate")]))
    np.testing.assert_allclose(res["denominated"].values[0, :, 0], [0.005, 0.004])


# -- the default plugins ------------------------------------------------------------------------
def test_default_plugins_are_registered_first_by_name_and_credited_to_builtin() -> None:
    """The default plugin modules load first, in order, under their names; every built-in
    method comes from one of them; `dxf plugins` shows them as one plugin, builtin."""
    pm = get_plugin_manager()
    names = [name for name, _ in pm.list_name_plugin()]
    assert names[: len(DEFAULT_PLUGINS)] == list(DEFAULT_PLUGINS)
    for name, module in DEFAULT_PLUGINS.items():
        plugin = pm.get_plugin(name)
        assert isinstance(plugin, ModuleType) and plugin.__name__ == module
    modules = set(DEFAULT_PLUGINS.values())
    for methods in get_registry().methods.values():
        for method in methods.values():
            if method.plugin == BUILTIN:
                assert method.func.__module__ in modules, method.name
    info = {i.name: i for i in plugin_info()}[BUILTIN]
    assert info.parts == tuple(DEFAULT_PLUGINS)
    assert info.package == "dxframework" and info.version == dxf.__version__
    assert set(info.hooks) == set(HOOK_NAMES) - {"register_packs"}
    assert {"builtin.readers", "builtin.templates"} <= set(DEFAULT_PLUGINS)
    assert get_registry().template_folders[0].prefix == "builtin"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_the_plugins_layer_imports_no_pipeline_and_builtin_module_is_gone() -> None:
    """plugins/ imports neither the pipeline nor the report layer (they load by name)."""
    for path in sorted((SRC / "plugins").glob("*.py")):
        bad = {
            m
            for m in _imports(path)
            if m.startswith(("dxframework.pipeline", "dxframework.report"))
        }
        assert not bad, f"{path.name} imports {bad}"
    assert not (SRC / "builtin.py").exists()
    assert importlib.util.find_spec("dxframework.builtin") is None


def test_environment_has_no_special_case_for_the_builtin_folder() -> None:
    """The template folders come from the registry only: unregister the default templates
    plugin and they are gone from the lookup."""
    from dxframework.report.environment import template_sources

    assert [p for p, _ in template_sources()] == ["builtin"]
    unregister_plugin("builtin.templates")
    assert template_sources() == []
    assert "folder.plugin ==" not in (SRC / "report" / "environment.py").read_text(encoding="utf-8")


class _CsvPlugin:
    """A plugin reading .csv files its own way: every value doubled."""

    @hookimpl
    def register_data_loaders(self, register: Any) -> None:
        def load(path: Path, sheet: str | None = None, **_: Any) -> RawTable:
            lines = [ln.split(",") for ln in path.read_text().splitlines() if ln]
            rows = tuple((r[0], *(str(2 * float(v)) for v in r[1:])) for r in lines[1:])
            return RawTable(str(path), tuple(lines[0]), rows, tuple(range(2, len(lines) + 1)))

        register(".csv", load, "doubling csv reader")


def test_a_builtin_reader_is_replaced_by_a_plugin(tmp_path: Path) -> None:
    """Registering .csv beside the built-in reader is a clash naming both; with the default
    plugin builtin.readers unregistered, the plugin's reader reads .csv files."""
    path = tmp_path / "d.csv"
    path.write_text("unit,x\nA,1.5\nB,2\n")
    assert read_dataset(path).values[0, :, 0].tolist() == [1.5, 2.0]

    register_plugin(_CsvPlugin(), "csv-doubler")
    with pytest.raises(PluginError, match="'builtin' and 'csv-doubler'"):
        get_registry()

    unregister_plugin("builtin.readers")
    loader = get_registry().loaders[".csv"]
    assert loader.plugin == "csv-doubler"
    assert ".xlsx" not in get_registry().loaders
    assert read_dataset(path).values[0, :, 0].tolist() == [3.0, 4.0]


# -- hooks through pluggy -----------------------------------------------------------------------
def _misspelled_plugin() -> types.SimpleNamespace:
    @hookimpl
    def register_normalization_methods(register: Any) -> None:
        register("never", lambda x, ctx: x)

    return types.SimpleNamespace(register_normalization_methods=register_normalization_methods)


def test_misspelled_hook_registered_by_hand_is_an_error_naming_plugin_and_hook() -> None:
    """register_normalization_methods is not a hook: a PluginError naming the plugin, the
    hook and the hook meant; the plugin is not registered."""
    with pytest.raises(PluginError) as info:
        register_plugin(_misspelled_plugin(), "typo-plugin")
    message = str(info.value)
    assert "'typo-plugin'" in message
    assert "'register_normalization_methods'" in message
    assert "register_normalisation_methods" in message.replace("'register_normalization", "")
    assert get_plugin_manager().get_plugin("typo-plugin") is None
    assert "never" not in get_registry().methods["normalise"]


def test_misspelled_hook_in_an_entry_point_fails_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed plugin with a misspelled hook: loading fails with the PluginError (a
    plugin that cannot be imported still only warns)."""
    (tmp_path / "dxf_typo_for_tests.py").write_text(
        "import dxframework as dxf\n\n"
        "@dxf.hookimpl\n"
        "def register_normalization_methods(register):\n"
        "    pass\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    typo = md.EntryPoint(name="typo", value="dxf_typo_for_tests", group=ENTRY_POINT_GROUP)
    real = md.entry_points

    def entry_points(**params: Any) -> Any:
        found = real(**params)
        return [*found, typo] if params.get("group") == ENTRY_POINT_GROUP else found

    monkeypatch.setattr(md, "entry_points", entry_points)
    reset_plugins()
    with pytest.raises(
        PluginError, match=r"plugin 'typo' implements 'register_normalization_methods'"
    ):
        get_registry()
    sys.modules.pop("dxf_typo_for_tests", None)


def test_hooks_are_called_through_pluggy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the registry goes through the plugin manager's hook callers (pluggy's
    tracing sees every hook called), not through the implementations by hand."""
    pm = get_plugin_manager()
    called: list[str] = []
    undo = pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: called.append(name), lambda *a: None
    )
    try:
        registry.Registry.from_plugin_manager(pm)
    finally:
        undo()
    assert set(called) == set(HOOK_NAMES)


def test_register_callbacks_are_typed_and_match_their_protocols() -> None:
    """Each hookspec types ``register`` with a Protocol, and the registry's callback for it
    has the Protocol's signature."""
    pairs = {
        "register_packs": (hookspecs.PackRegistrar, registry.PackRegistrar),
        "register_data_loaders": (hookspecs.LoaderRegistrar, registry.LoaderRegistrar),
        "register_template_folders": (
            hookspecs.TemplateFolderRegistrar,
            registry.TemplateFolderRegistrar,
        ),
        **{k.hook: (hookspecs.MethodRegistrar, registry.MethodRegistrar) for k in KINDS.values()},
    }
    assert set(pairs) == set(HOOK_NAMES)
    for hook, (protocol, concrete) in pairs.items():
        hints = typing.get_type_hints(getattr(hookspecs, hook), vars(hookspecs))
        assert hints["register"] is protocol, hook
        assert typing.Any not in hints.values()
        want = inspect.signature(protocol.__call__)
        have = inspect.signature(concrete.__call__)
        assert list(want.parameters) == list(have.parameters), hook
        assert [p.default for p in want.parameters.values()] == [
            p.default for p in have.parameters.values()
        ]


def test_every_hook_is_documented_in_the_plugin_docs() -> None:
    """The hook tables of docs/plugins.md and of the how-to name every hook, and no hook
    that does not exist (the docs drift with the hooks)."""
    for page in (DOCS / "plugins.md", DOCS / "howto" / "write-plugin.md"):
        rows = [ln for ln in page.read_text(encoding="utf-8").splitlines() if ln.startswith("|")]
        named = set(re.findall(r"`(register_\w+)`", "\n".join(rows)))
        assert set(HOOK_NAMES) <= named, (page.name, set(HOOK_NAMES) - named)
        assert named <= set(HOOK_NAMES), (page.name, named - set(HOOK_NAMES))
    text = (DOCS / "plugins.md").read_text(encoding="utf-8")
    for name in DEFAULT_PLUGINS:
        assert f"`{name}`" in text, name
    assert "check_pending" in text


# -- parameters bound before the call -----------------------------------------------------------
def _fw_data() -> tuple[dxf.Framework, dxf.Dataset]:
    fw = dxf.Framework(
        [dxf.Indicator("a"), dxf.Indicator("b")],
        [dxf.Aggregate("I")],
        [dxf.Edge("a", "I"), dxf.Edge("b", "I")],
    )
    return fw, dxf.Dataset.from_arrays(
        ["u", "v", "w"], ["a", "b"], [[1.0, 2.0], [3.0, 5.0], [4.0, 9.0]]
    )


def test_unknown_parameter_is_a_method_error_naming_stage_method_and_accepted() -> None:
    fw, data = _fw_data()
    with pytest.raises(MethodError) as info:
        dxf.run_pipeline(fw, data, Pipeline([Stage("normalise", "minmax", params={"hight": 10})]))
    problem = info.value.problems[0]
    assert "stage 'normalised'" in problem.message
    assert "normalise method 'minmax'" in problem.message
    assert "'hight'" in problem.message
    assert problem.hint is not None and "lo, hi, constant" in problem.hint


def test_missing_parameter_is_a_method_error_naming_it() -> None:
    fw, data = _fw_data()
    with pytest.raises(MethodError, match=r"treat method 'boxcox' needs the parameter 'lam'"):
        dxf.run_pipeline(fw, data, Pipeline([Stage("treat", "boxcox")]))


def test_type_error_inside_a_method_propagates_as_the_bug_it_is() -> None:
    """A TypeError raised while a method runs is not reported as a bad parameter."""

    def helper(x: F) -> F:
        return x

    def buggy(x: F, ctx: Any, top: float = 1.0) -> F:
        # a bug: "helper() got an unexpected keyword argument 'scale'", a TypeError whose
        # text once made the stage report it as a bad parameter of the pipeline
        return helper(x, scale=top)  # type: ignore[call-arg]

    def buggy_call(x: F, ctx: Any, top: float = 1.0) -> F:
        return np.asarray(float(x))  # only length-1 arrays convert to a float: a TypeError

    @hookimpl
    def register_normalisation_methods(register: Any) -> None:
        register("buggy", buggy)
        register("buggy_call", buggy_call)

    register_plugin(
        types.SimpleNamespace(register_normalisation_methods=register_normalisation_methods),
        "buggy-plugin",
    )
    fw, data = _fw_data()
    for name in ("buggy", "buggy_call"):
        with pytest.raises(TypeError) as info:
            dxf.run_pipeline(fw, data, Pipeline([Stage("normalise", name, params={"top": 2.0})]))
        assert not isinstance(info.value, MethodError)


# -- conformance of methods ---------------------------------------------------------------------
_PARAMS: dict[tuple[str, str], dict[str, Any]] = {
    ("impute", "mean_by_group"): {"group": "g"},
    ("impute", "median_by_group"): {"group": "g"},
    ("treat", "boxcox"): {"lam": 0.5},
    ("normalise", "distance_to_reference"): {"unit": "u0"},
    ("normalise", "steps"): {"thresholds": [2, 5, 8], "points": [1, 2, 3]},
    ("normalise", "categories"): {"mapping": {"0": 0.0, "1": 0.5, "2": 1.0}},
    ("aggregate", "generalised"): {"p": 2.0},
    ("weight", "custom"): {"weights": {"P": {"a": 1.0, "b": 2.0}}},
    ("weight", "set"): {"name": "alt"},
    ("weight", "ahp"): {"matrices": {"P": {"matrix": [[1.0, 3.0], [1 / 3, 1.0]]}}},
}


def _reference_on_top() -> np.ndarray[Any, Any]:
    """Random values with unit u0 above every other unit: the reference of
    distance_to_reference must not be the minimum (that is a zero denominator, an error)."""
    x = np.random.default_rng(2).uniform(1, 10, (2, 8, 4))
    x[:, 0, :] = 11.0
    return x


_VALUES = {
    ("normalise", "categories"): np.random.default_rng(1).integers(0, 3, (2, 8, 4)),
    ("normalise", "distance_to_reference"): _reference_on_top(),
}
_BUILTINS = [
    (family, name)
    for family, methods in get_registry().methods.items()
    for name, m in methods.items()
    if m.plugin == BUILTIN
]


@pytest.mark.parametrize(("family", "name"), _BUILTINS, ids=[f"{f}:{n}" for f, n in _BUILTINS])
def test_every_builtin_method_passes_check_method(family: str, name: str) -> None:
    func = get_registry().method(family, name).func
    done = check_method(
        family, func, _PARAMS.get((family, name)), values=_VALUES.get((family, name))
    )
    assert done == (
        "shape over leading axes",
        "missing values",
        "unit-order invariance",
        "determinism",
    )


def test_every_builtin_method_is_checked() -> None:
    """All seven families have built-in methods, and every one is in the list checked."""
    assert {f for f, _ in _BUILTINS} == set(KINDS)
    assert len(_BUILTINS) == sum(len(m) for m in get_registry().methods.values())


def _first_unit_offset(x: F, ctx: Any) -> F:
    return np.asarray(x - x[..., :1, :])  # depends on which unit comes first


def _flattening(x: F, ctx: Any) -> F:
    flat = x.reshape(-1, x.shape[-1])  # pools the leading axes: variants leak into each other
    return np.asarray((x - np.nanmean(flat, axis=0)) / np.nanstd(flat, axis=0))


_calls = iter(range(10**6))


def _drifting(x: F, ctx: Any) -> F:
    return np.asarray(x + next(_calls))


def _fills_known(x: F, ctx: Any) -> F:
    return np.where(np.isnan(x), 0.0, x + 1.0)


@pytest.mark.parametrize(
    ("family", "func", "check"),
    [
        ("normalise", _first_unit_offset, "unit-order invariance"),
        ("normalise", _flattening, "shape over leading axes"),
        ("normalise", _drifting, "shape over leading axes"),
        ("impute", _fills_known, "missing values"),
    ],
)
def test_check_method_fails_a_method_that_breaks_the_contract(
    family: str, func: Any, check: str
) -> None:
    with pytest.raises(ConformanceError, match=check):
        check_method(family, func)


def test_check_method_fails_under_python_O_too() -> None:
    """The conformance checks raise explicitly: no `assert` statement in dxframework.testing."""
    tree = ast.parse((SRC / "testing.py").read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]


# -- the how-to's example plugins ---------------------------------------------------------------
def _load_example(name: str) -> ModuleType:
    path = DOCS / "examples" / f"{name}.py"
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def test_howto_method_plugin_is_one_module_that_conforms() -> None:
    """The how-to's method plugin loads as a plugin, passes check_method and runs."""
    plugin = _load_example("dxf_logistic")
    register_plugin(plugin, "logistic")
    method = get_registry().method("normalise", "logistic")
    assert method.plugin == "logistic"
    check_method("normalise", method.func)
    fw, data = _fw_data()
    res = dxf.run_pipeline(
        fw, data, Pipeline([Stage("normalise", "logistic", params={"scale": 10})])
    )
    assert np.all((res["normalised"].values > 0) & (res["normalised"].values < 10))


def test_howto_reader_plugin_is_one_module_that_reads_files(tmp_path: Path) -> None:
    """The how-to's reader plugin registers .pipe and read_dataset reads such a file."""
    register_plugin(_load_example("dxf_pipes"), "pipes")
    assert get_registry().loaders[".pipe"].plugin == "pipes"
    path = tmp_path / "scores.pipe"
    path.write_text("unit | x\nA | 1.5\n\nB | 2\n", encoding="utf-8")
    data = read_dataset(path)
    assert data.unit_codes == ("A", "B")
    np.testing.assert_allclose(data.values[0, :, 0], [1.5, 2.0])


# -- pack conformance -----------------------------------------------------------------------
@pytest.mark.parametrize(("code", "passes"), [("NT", True), ("XX", False)])
def test_pack_targets_must_name_nodes_of_the_framework(
    code: str, passes: bool, tmp_path: Path
) -> None:
    """The check 'targets refer to real indicators' checks the codes of the targets file."""
    from dxframework import MetricPack
    from dxframework.packs.scaffold import scaffold_pack
    from dxframework.testing import check_pack

    folder = scaffold_pack("tgt", tmp_path) / "src" / "dxf_tgt"
    (folder / "data" / "targets.toml").write_text(
        f'[pillars]\n{code} = {{ "2030" = 0.9 }}\n', encoding="utf-8"
    )
    toml = folder / "pack.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(
        text.replace("[pack]\n", '[pack]\ntargets = "data/targets.toml"\n', 1), encoding="utf-8"
    )
    report = check_pack(MetricPack.from_toml(toml))
    found = {c.name: c for c in report.checks}["targets refer to real indicators"]
    assert found.passed is passes, found.message
    if not passes:
        assert "XX" in found.message
