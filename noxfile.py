"""Development sessions: ``nox -s tests lint typing docs`` (all four by default).

Tool versions come from the extras in pyproject.toml, so they are declared in one place.
"""

from __future__ import annotations

from pathlib import Path

import nox
from packaging.requirements import Requirement

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
EXTRAS: dict[str, list[str]] = PYPROJECT["project"]["optional-dependencies"]

#: The bundled packs (plugins/<name>/pyproject.toml), installed editable for the tests.
PLUGINS = sorted(
    p.parent.relative_to(ROOT).as_posix() for p in ROOT.glob("plugins/*/pyproject.toml")
)

LINT_PATHS = ("src", "tests", "plugins", "noxfile.py")

nox.options.sessions = ["tests", "lint", "typing", "docs"]


def _requirement(extra: str, name: str) -> str:
    """The requirement for ``name`` in an extra of pyproject.toml, e.g. ``ruff>=0.6``."""
    for req in EXTRAS[extra]:
        if Requirement(req).name == name:
            return req
    raise LookupError(f"{name} is not in the {extra!r} extra of pyproject.toml")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (docs build included) with the bundled packs installed."""
    plugins = [arg for path in PLUGINS for arg in ("-e", path)]
    session.install("-e", ".[test,docs]", *plugins)
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def floors(session: nox.Session) -> None:
    """The suite at the declared minimum versions (uv's lowest-direct resolution).

    Every direct dependency is installed at the lowest version its floor in pyproject.toml
    admits, so a floor that is not true fails here.
    """
    plugins = [arg for path in PLUGINS for arg in ("-e", path)]
    session.install("uv")
    session.run(
        "uv",
        "pip",
        "install",
        "--python",
        session.virtualenv.location,
        "--resolution",
        "lowest-direct",
        "-e",
        ".[test,docs]",
        *plugins,
    )
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint rules and formatting."""
    session.install(_requirement("lint", "ruff"))
    session.run("ruff", "check", *LINT_PATHS)
    session.run("ruff", "format", "--check", *LINT_PATHS)


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict on src (configured in pyproject.toml)."""
    session.install("-e", ".[lint]")
    session.run("mypy", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML docs; any Sphinx warning is an error."""
    session.install("-e", ".[docs]")
    session.run(
        "sphinx-build",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "docs",
        "docs/_build/html",
        *session.posargs,
    )
