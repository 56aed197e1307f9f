"""coopetition: agent-based simulation of the AI market around a frontier-lab /
hyperscaler partnership, from Python.

The simulation is the project's Rust library, run in-process (no second implementation):
each function runs the same code as the ``coopetition`` command line and returns its
tables as pandas DataFrames with the CSV files' columns and values.

>>> import coopetition as cp
>>> r = cp.run("baseline", runs=1000, seed=42)
>>> r.probabilities()          # outcome shares with 95% Wilson intervals

Bad input raises :class:`InputError` (a ``ValueError``) with the message the command line
prints before exiting with code 2; other failures raise :class:`CoopetitionError`.
Ctrl-C stops a run at its next block of runs and raises ``KeyboardInterrupt``.
"""

from ._native import CoopetitionError, InputError, __version__
from ._api import (
    CompareResult,
    Result,
    SweepResult,
    analyze,
    command,
    compare,
    load,
    params,
    run,
    scenarios,
    show,
    sweep,
)

__all__ = [
    "CompareResult",
    "CoopetitionError",
    "InputError",
    "Result",
    "SweepResult",
    "__version__",
    "analyze",
    "command",
    "compare",
    "load",
    "params",
    "run",
    "scenarios",
    "show",
    "sweep",
]
