"""Stage settings that merge per node: availability, denominator scale, direction, loaders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dxframework import (
    Aggregate,
    Dataset,
    Edge,
    Framework,
    Indicator,
    MethodError,
    Pipeline,
    Stage,
    hookimpl,
    read_dataset,
)
from dxframework.io.tables import RawTable
from dxframework.pipeline.run import run_pipeline
from dxframework.plugins import register_plugin, reset_plugins


def test_min_availability_per_aggregate_override() -> None:
    """An aggregate's own min_availability applies to it alone."""
    fw = Framework(
        [Indicator(c) for c in "abcd"],
        [Aggregate("P"), Aggregate("Q")],
        [Edge("a", "P"), Edge("b", "P"), Edge("c", "Q"), Edge("d", "Q")],
    )
    data = Dataset.from_arrays(["u"], list("abcd"), [[1.0, np.nan, 2.0, np.nan]])
    res = run_pipeline(
        fw, data, Pipeline([Stage("aggregate", overrides={"P": {"min_availability": 0.9}})])
    )
    p, q = (
        res.scores.values[0, 0, res.scores.column_index("P")],
        res.scores.values[0, 0, res.scores.column_index("Q")],
    )
    assert np.isnan(p) and q == 2.0


def test_denominator_scale_precedence() -> None:
    """Stage override beats the indicator's scale, which beats the stage's global scale."""
    fw = Framework(
        [Indicator("a", denominator="pop", scale=100), Indicator("b", denominator="pop")],
        [Aggregate("I")],
        [Edge("a", "I"), Edge("b", "I")],
    )
    data = Dataset.from_arrays(["u"], ["a", "b", "pop"], [[5.0, 5.0, 1000.0]])
    res = run_pipeline(fw, data, Pipeline([Stage("denominate", params={"scale": 10})]))
    np.testing.assert_allclose(res["denominated"].values[0, 0], [5 / 10, 5 / 100])
    res = run_pipeline(fw, data, Pipeline([Stage("denominate", overrides={"a": {"scale": 1}})]))
    np.testing.assert_allclose(res["denominated"].values[0, 0], [5 / 1000, 5 / 1000])


def test_second_normalisation_does_not_flip_direction_back() -> None:
    """Normalising twice keeps the better-is-higher orientation of a negative indicator."""
    fw = Framework([Indicator("cost", direction=-1)], [Aggregate("I")], [Edge("cost", "I")])
    data = Dataset.from_arrays(["cheap", "dear"], ["cost"], [[1.0], [9.0]])
    res = run_pipeline(
        fw, data, Pipeline([Stage("normalise"), Stage("normalise", params={"lo": 1, "hi": 10})])
    )
    cheap, dear = res.final.values[0, :, 0]
    assert cheap == 10 and dear == 1
    assert res.record("normalised_2")["direction_applied"] is False


def test_fraction_of_max_refuses_negative_direction() -> None:
    """fraction_of_max of a negative-direction indicator is an error naming it."""
    fw = Framework([Indicator("outage", direction=-1)], [Aggregate("I")], [Edge("outage", "I")])
    data = Dataset.from_arrays(["a", "b"], ["outage"], [[3.0], [5.0]])
    with pytest.raises(MethodError, match="outage"):
        run_pipeline(fw, data, Pipeline([Stage("normalise", "fraction_of_max")]))


class _PipeLoader:
    """A plugin reading '.pipe' files: 'unit|x' lines."""

    @hookimpl
    def register_data_loaders(self, register: Any) -> None:
        def load(path: Path, sheet: str | None = None) -> RawTable:
            lines = [ln.split("|") for ln in path.read_text().splitlines() if ln]
            return RawTable(
                str(path),
                tuple(lines[0]),
                tuple(tuple(r) for r in lines[1:]),
                tuple(range(2, len(lines) + 1)),
            )

        register(".pipe", load, "pipe-separated test format")


def test_plugin_data_loader_is_used(tmp_path: Path) -> None:
    """A data loader registered by a plugin reads files with its suffix."""
    path = tmp_path / "d.pipe"
    path.write_text("unit|x\nA|1.5\nB|2\n")
    reset_plugins()
    try:
        register_plugin(_PipeLoader(), "pipe-loader")
        data = read_dataset(path)
        assert data.unit_codes == ("A", "B")
        np.testing.assert_allclose(data.values[0, :, 0], [1.5, 2.0])
    finally:
        reset_plugins()
