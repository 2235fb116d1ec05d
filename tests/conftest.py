"""Settings shared by the whole suite.

Property tests (hypothesis) explore new random examples on every local run, which is how they
find faults. CI sets ``HYPOTHESIS_PROFILE=ci``: the examples are then derived from each test
alone (``derandomize``), so whether a submission lands depends on the code, never on the draw;
a fault a local run finds is fixed and kept as an explicit example.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
