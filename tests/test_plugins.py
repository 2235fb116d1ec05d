"""Plugins: methods contributed through the hooks, name clashes, and broken entry points.

What is protected: a plugin registered by hand contributes a method the pipeline can use (and
the manifest credits it); two plugins registering one name is a PluginError naming both; an
entry point that fails to import is a PluginLoadWarning naming it while every other plugin
still loads. The plugin state is global, so every test resets it afterwards.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import types
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from numpy.typing import NDArray

import dxframework
from dxframework import Pipeline, PluginError, Stage, hookimpl
from dxframework.cli import cli
from dxframework.plugins import (
    ENTRY_POINT_GROUP,
    PluginLoadWarning,
    get_registry,
    plugin_info,
    register_plugin,
    reset_plugins,
    unregister_plugin,
)
from dxframework.plugins import manager as manager_module

F = NDArray[np.float64]


@pytest.fixture(autouse=True)
def fresh_plugins() -> Iterator[None]:
    """Start and end every test with freshly loaded plugins."""
    reset_plugins()
    yield
    reset_plugins()


def tenths(x: F, ctx: Any, top: float = 10.0) -> F:
    """Min-max onto [0, top] per column over units (axis -2), NaN kept."""
    lo = np.nanmin(x, axis=-2, keepdims=True)
    hi = np.nanmax(x, axis=-2, keepdims=True)
    span = np.where(hi > lo, hi - lo, 1.0)
    return np.asarray((x - lo) / span * top, dtype=np.float64)


def normaliser_plugin(name: str) -> types.SimpleNamespace:
    """A plugin object registering the normalisation method ``name``."""

    @hookimpl
    def register_normalisation_methods(register: Any) -> None:
        register(name, tenths, description="min-max onto 0..top")

    return types.SimpleNamespace(register_normalisation_methods=register_normalisation_methods)


def test_plugin_method_is_usable_in_a_pipeline() -> None:
    """A normalisation method from a hand-registered plugin runs in a pipeline stage."""
    register_plugin(normaliser_plugin("tenths"), name="tenths-plugin")
    method = get_registry().method("normalise", "tenths")
    assert method.plugin == "tenths-plugin"
    assert method.description == "min-max onto 0..top"

    pipe = Pipeline(
        [
            Stage("impute", "mean"),
            Stage("normalise", "tenths", params={"top": 10}),
            Stage("aggregate", "arithmetic"),
        ],
        name="with-plugin",
    )
    result = dxframework.get_pack("asem").run(pipeline=pipe)
    normalised = result["normalised"].values
    assert np.nanmin(normalised) == pytest.approx(0.0)
    assert np.nanmax(normalised) == pytest.approx(10.0)
    assert np.all(np.nanmax(normalised, axis=-2) == pytest.approx(10.0))  # every column
    assert result.manifest["methods"]["normalise:tenths"] == "tenths-plugin"
    scores = result.scores.column("Index")
    assert np.all((scores >= 0) & (scores <= 10))

    # with the plugin gone the method is gone too, with a helpful error
    unregister_plugin("tenths-plugin")
    with pytest.raises(PluginError, match="unknown normalise method 'tenths'"):
        get_registry().method("normalise", "tenths")


def test_plugin_appears_in_plugin_info() -> None:
    """A hand-registered plugin is listed with the hooks it implements."""
    register_plugin(normaliser_plugin("tenths"), name="tenths-plugin")
    infos = {i.name: i for i in plugin_info()}
    assert infos["tenths-plugin"].hooks == ("register_normalisation_methods",)
    assert {"builtin", "asem"} <= set(infos)


def test_same_method_name_from_two_plugins_is_an_error_naming_both() -> None:
    """Two plugins registering one method name: a PluginError naming both plugins."""
    register_plugin(normaliser_plugin("tenths"), name="first-plugin")
    register_plugin(normaliser_plugin("tenths"), name="second-plugin")
    with pytest.raises(PluginError) as info:
        get_registry()
    message = str(info.value)
    assert "normalise method 'tenths'" in message
    assert "'first-plugin'" in message
    assert "'second-plugin'" in message


def test_clash_with_a_builtin_method_names_builtin() -> None:
    """Registering a name the built-in plugin owns names `builtin` and the newcomer."""
    register_plugin(normaliser_plugin("minmax"), name="usurper")
    with pytest.raises(PluginError, match="'builtin' and 'usurper'"):
        get_registry()


def test_clash_at_the_cli_exits_2_without_traceback() -> None:
    """A plugin clash met by the command line is one error line and exit status 2."""
    register_plugin(normaliser_plugin("tenths"), name="first-plugin")
    register_plugin(normaliser_plugin("tenths"), name="second-plugin")
    result = CliRunner().invoke(cli, ["methods"])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "'first-plugin'" in lines[0] and "'second-plugin'" in lines[0]


# -- broken entry points ------------------------------------------------------------------------
BROKEN = md.EntryPoint(name="broken", value="dxf_no_such_module_for_tests", group=ENTRY_POINT_GROUP)


@pytest.fixture
def broken_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed entry points plus one whose module does not exist."""
    real = md.entry_points

    def entry_points(**params: Any) -> Any:
        found = real(**params)
        if params.get("group") == ENTRY_POINT_GROUP:
            return [*found, BROKEN]
        return found

    monkeypatch.setattr(manager_module.md, "entry_points", entry_points)
    reset_plugins()


@pytest.mark.usefixtures("broken_entry_point")
def test_broken_entry_point_warns_and_others_load() -> None:
    """A plugin that fails to import: a PluginLoadWarning naming it; builtin and asem load."""
    with pytest.warns(PluginLoadWarning) as caught:
        registry = get_registry()
    messages = [str(w.message) for w in caught if issubclass(w.category, PluginLoadWarning)]
    assert len(messages) == 1
    assert "'broken'" in messages[0]
    assert "dxf_no_such_module_for_tests" in messages[0]

    assert "asem" in registry.packs
    assert registry.method("normalise", "minmax").plugin == "builtin"
    infos = {i.name: i for i in plugin_info()}
    assert infos["broken"].error is not None
    assert infos["broken"].hooks == ()
    assert infos["builtin"].error is None
    assert infos["asem"].error is None
    assert "register_packs" in infos["asem"].hooks
    # the asem pack still scores
    assert dxframework.get_pack("asem").run().ranking()[0][1] == "CHE"


@pytest.mark.usefixtures("broken_entry_point")
def test_broken_entry_point_in_cli_plugins_json() -> None:
    """`dxf plugins --json` lists the broken plugin with its error and still exits 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginLoadWarning)
        result = CliRunner().invoke(cli, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    infos = {p["name"]: p for p in json.loads(result.stdout)}
    assert "dxf_no_such_module_for_tests" in infos["broken"]["error"]
    assert infos["builtin"]["error"] is None
    assert "register_packs" in infos["asem"]["hooks"]
    assert "warning: plugin 'broken'" in result.stderr
