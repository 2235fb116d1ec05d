"""Default plugin ``builtin.readers``: the built-in file readers, registered as data loaders.

The readers live in :mod:`dxframework.io.readers`; this module only registers each of them
for its suffix, through the same hook a third-party reader uses. Unregister it
(``unregister_plugin("builtin.readers")``) to replace the built-in readers with others.
"""

from __future__ import annotations

from dxframework.io.readers import READERS
from dxframework.plugins.hookspecs import LoaderRegistrar, hookimpl

__all__ = ["register_data_loaders"]


@hookimpl
def register_data_loaders(register: LoaderRegistrar) -> None:
    """Register every built-in reader for its suffix."""
    for suffix, reader in READERS.items():
        register(suffix, reader, f"built-in reader ({reader.__name__})")
