"""Imports the command modules that add themselves to the `clusterkg` group.

Each line imports one module of this package whose commands are decorated with
`@main.command()`; add one line per new module.
"""

from __future__ import annotations

from . import (
    publish,  # noqa: F401
    push,  # noqa: F401
    query,  # noqa: F401
    serve,  # noqa: F401
    synth,  # noqa: F401
)
