"""The package's functions: each builds the command line the CLI would get, runs it
in-process through :func:`coopetition._native.main`, and loads the tables it wrote."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from . import _native
from ._native import CoopetitionError, InputError

#: The four outcomes, in the order of every table.
OUTCOMES = tuple(_native.OUTCOMES)
#: The seed article's expert view of the next 18 months.
ARTICLE = dict(zip(OUTCOMES, _native.ARTICLE))
#: Standard normal quantile of a two-sided 95% interval (as the CLI uses).
Z95 = _native.Z95

PathLike = str | os.PathLike


def command(*args: str) -> int:
    """Runs any ``coopetition`` command line in-process, e.g.
    ``command("analyze", "output/baseline-seed42")``; returns the exit code (0, or 1 when
    the command reported a failure itself, e.g. some runs failed or a calibration missed its
    tolerance). Raises :class:`InputError` for what the CLI exits 2 on and
    :class:`CoopetitionError` for other failures. Output goes to the process's stdout."""
    code, message = _native.main(["coopetition", *map(str, args)])
    if code == 0:
        if message:  # --help / --version
            print(message)
        return 0
    if code == 2:
        raise InputError(message)
    if message is None:
        return 1
    raise CoopetitionError(message)


def _warn_failed(code: int, what: str) -> None:
    if code == 1:
        warnings.warn(f"some runs failed; see {what}.failures", RuntimeWarning, stacklevel=3)


# --- tables ------------------------------------------------------------------------


#: Exact float parsing: pandas 3 parses round-trip by default and deprecates the option.
_EXACT = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


def read_csv(path: PathLike) -> pd.DataFrame:
    """A CSV table of this tool, every number parsed to the exact double it was written
    from."""
    return pd.read_csv(path, **_EXACT)


def _table(directory: Path, name: str) -> pd.DataFrame | None:
    """``name.parquet`` or ``name.csv`` in ``directory`` as a DataFrame (None if absent).
    CSV numbers are parsed exactly (:func:`read_csv`)."""
    parquet = directory / f"{name}.parquet"
    if parquet.is_file():
        return pd.read_parquet(parquet)
    csv = directory / f"{name}.csv"
    if csv.is_file():
        return read_csv(csv)
    return None


def _manifest(directory: Path) -> dict:
    path = directory / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _probabilities(outcomes: pd.DataFrame, z: float) -> pd.DataFrame:
    n = len(outcomes)
    rows = []
    for o in OUTCOMES:
        k = int((outcomes["outcome"] == o).sum())
        lo, hi = _native.wilson_interval(k, n, z)
        rows.append(
            {"outcome": o, "runs": n, "count": k, "p": k / n if n else float("nan"),
             "lo": lo, "hi": hi, "article": ARTICLE[o]}
        )
    return pd.DataFrame(rows)


@dataclass
class Result:
    """The tables of a ``run`` (the files of its output directory, SPEC §5).

    ``timeseries`` and ``events`` are None above 10,000 runs unless asked for."""

    outcomes: pd.DataFrame
    timeseries: pd.DataFrame | None
    events: pd.DataFrame | None
    quantiles: pd.DataFrame
    failures: pd.DataFrame
    manifest: dict
    #: The output directory, or None when the files were written to a temporary one.
    dir: Path | None = None
    #: ``partnerships.csv``: one row per run and tie (None for results written before it).
    partnerships: pd.DataFrame | None = None

    def probabilities(self, confidence: float = 0.95) -> pd.DataFrame:
        """Each outcome's share of successful runs with its Wilson interval (columns
        ``outcome, runs, count, p, lo, hi, article``)."""
        z = Z95 if confidence == 0.95 else _normal_quantile(0.5 + confidence / 2)
        return _probabilities(self.outcomes, z)

    def __repr__(self) -> str:
        p = self.probabilities()
        shares = ", ".join(f"{o} {v:.1%}" for o, v in zip(p["outcome"], p["p"]))
        return f"<coopetition.Result {len(self.outcomes)} runs: {shares}>"


@dataclass
class SweepResult:
    """The tables of a sweep directory: one row per point in ``points`` and ``summary``
    (outcome probabilities with intervals), one per run in ``outcomes``."""

    points: pd.DataFrame
    outcomes: pd.DataFrame
    summary: pd.DataFrame
    quantiles: pd.DataFrame
    failures: pd.DataFrame
    timeseries: pd.DataFrame | None
    manifest: dict
    dir: Path | None = None

    def __repr__(self) -> str:
        return f"<coopetition.SweepResult {len(self.points)} points, {len(self.outcomes)} runs>"


@dataclass
class CompareResult:
    """The tables of ``compare``: paired differences B − A per outcome
    (``comparison``), outcome switches between paired runs (``switches``), horizon
    metrics (``metrics``), and both scenarios' runs (``a``, ``b``)."""

    comparison: pd.DataFrame
    switches: pd.DataFrame
    metrics: pd.DataFrame
    a: Result
    b: Result
    manifest: dict
    dir: Path | None = None

    def __repr__(self) -> str:
        return f"<coopetition.CompareResult {len(self.a.outcomes)} pairs>"


def load(directory: PathLike) -> Result | SweepResult:
    """Loads a run or sweep directory written by the CLI or this package (CSV or
    Parquet)."""
    d = Path(directory)
    if not (d / "manifest.json").is_file():
        raise InputError(f"{d}: no manifest.json; not a coopetition result")
    points = _table(d, "points")
    if points is not None:
        return SweepResult(
            points=points,
            outcomes=_table(d, "outcomes"),
            summary=_table(d, "summary"),
            quantiles=_table(d, "timeseries_quantiles"),
            failures=_table(d, "failures"),
            timeseries=_table(d, "timeseries"),
            manifest=_manifest(d),
            dir=d,
        )
    return Result(
        outcomes=_table(d, "outcomes"),
        timeseries=_table(d, "timeseries"),
        events=_table(d, "events"),
        quantiles=_table(d, "timeseries_quantiles"),
        failures=_table(d, "failures"),
        manifest=_manifest(d),
        dir=d,
        partnerships=_table(d, "partnerships"),
    )


# --- arguments ---------------------------------------------------------------------


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_scalar(x) for x in v) + "]"
    return str(v)


def _toml_scalar(v: Any) -> str:
    if isinstance(v, str):
        return json.dumps(v)
    return _value(v)


def _sets(flag: str, values: Mapping[str, Any] | Iterable[str] | None) -> list[str]:
    """``{"regulation.stringency": 2}`` or ``["regulation.stringency=2"]`` → CLI flags."""
    if not values:
        return []
    items = values.items() if isinstance(values, Mapping) else None
    pairs = [f"{k}={_value(v)}" for k, v in items] if items is not None else list(values)
    out = []
    for p in pairs:
        out += [flag, p]
    return out


def _threads(threads: int | None) -> list[str]:
    return [] if threads is None else ["--threads", str(threads)]


class _Workspace:
    """Where a command writes: the caller's directory, or a temporary one removed once
    the tables are loaded. Input files made from dicts go to a temporary directory that
    is removed too."""

    def __init__(self, out: PathLike | None, name: str):
        self.tmp = None if out is not None else tempfile.mkdtemp(prefix="coopetition-")
        self.inputs: str | None = None
        self.path = Path(out) if out is not None else Path(self.tmp) / name

    def file(self, name: str, text: str) -> Path:
        """Writes an input file (a scenario or sweep given as a dict)."""
        if self.inputs is None:
            self.inputs = self.tmp or tempfile.mkdtemp(prefix="coopetition-in-")
        path = Path(self.inputs) / name
        path.write_text(text)
        return path

    def kept(self) -> Path | None:
        return None if self.tmp else self.path

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for d in {self.tmp, self.inputs} - {None}:
            shutil.rmtree(d, ignore_errors=True)


def _scenario_arg(scenario: str | PathLike | Mapping, ws: _Workspace, name: str) -> str:
    """A bundled name, a TOML path, or a scenario table given as a dict."""
    if isinstance(scenario, Mapping):
        return str(ws.file(f"{name}.toml", _native.json_to_toml(json.dumps(scenario))))
    return str(scenario)


# --- commands ----------------------------------------------------------------------


def run(
    scenario: str | PathLike | Mapping = "baseline",
    runs: int = 1000,
    seed: int = 42,
    set: Mapping[str, Any] | Iterable[str] | None = None,
    threads: int | None = None,
    out: PathLike | None = None,
    format: str = "parquet",
    timeseries: bool | None = None,
    events: bool | None = None,
    force: bool = False,
    progress: bool = False,
) -> Result:
    """Monte Carlo runs of one scenario, as ``coopetition run``.

    scenario: a bundled name (see :func:`scenarios`), a TOML file, or a scenario table as
      a dict. set: parameter overrides, ``{"regulation.stringency": 2}``. threads: worker
      threads (None = all cores; results do not depend on it). out: keep the files there
      (default: a temporary directory, removed after loading). format: ``"parquet"``
      (typed columns) or ``"csv"``. timeseries / events: force the per-run tables on or
      off (default: on up to 10,000 runs). progress: show the CLI's progress bar and table.

    Returns a :class:`Result`; warns if some runs failed (see ``Result.failures``). The
    tables hold the CLI's CSV columns and values; from Parquet (the default) each column
    has its declared type (docs/OUTPUTS.md), so an empty text cell is ``""`` (``read_csv``
    gives NaN) and a float column whose values happen to be whole stays float."""
    with _Workspace(out, "run") as ws:
        argv = ["run", _scenario_arg(scenario, ws, "scenario"), "--runs", str(runs),
                "--seed", str(seed), "--out", str(ws.path), "--format", format]
        argv += _sets("--set", set) + _threads(threads)
        if timeseries is not None:
            argv.append("--timeseries" if timeseries else "--no-timeseries")
        if events is not None:
            argv.append("--events" if events else "--no-events")
        if force:
            argv.append("--force")
        if not progress:
            argv.append("--quiet")
        _warn_failed(command(*argv), "Result")
        result = load(ws.path)
        result.dir = ws.kept()
        return result


def sweep(
    file_or_dict: PathLike | Mapping,
    out: PathLike | None = None,
    threads: int | None = None,
    resume: bool = False,
    shard: str | None = None,
    timeseries: bool = False,
    format: str | None = None,
    force: bool = False,
    progress: bool = False,
) -> SweepResult:
    """A parameter sweep, as ``coopetition sweep``: a sweep file, or its table as a dict
    (``{"scenario": "baseline", "runs_per_point": 200, "design": "grid", "vary": [...]}``,
    with or without the enclosing ``"sweep"`` key). With ``out`` the sweep is resumable
    after an interruption (``resume=True``). format: ``"parquet"`` (default for a new
    sweep) or ``"csv"``; a resumed sweep keeps the format it was started with."""
    if resume and out is None:
        raise InputError("resume=True needs out= (the directory of the interrupted sweep)")
    if format is None and not resume:
        format = "parquet"
    with _Workspace(out, "sweep") as ws:
        if isinstance(file_or_dict, Mapping):
            spec = file_or_dict if "sweep" in file_or_dict else {"sweep": dict(file_or_dict)}
            path = ws.file("sweep.toml", _native.json_to_toml(json.dumps(spec)))
        else:
            path = Path(file_or_dict)
        argv = ["sweep", str(path), "--out", str(ws.path)] + _threads(threads)
        if format is not None:
            argv += ["--format", format]
        for flag, on in (("--resume", resume), ("--timeseries", timeseries), ("--force", force),
                         ("--quiet", not progress)):
            if on:
                argv.append(flag)
        if shard:
            argv += ["--shard", shard]
        _warn_failed(command(*argv), "SweepResult")
        result = load(ws.path)
        result.dir = ws.kept()
        return result


def compare(
    a: str | PathLike | Mapping,
    b: str | PathLike | Mapping,
    runs: int = 1000,
    seed: int = 42,
    set: Mapping[str, Any] | Iterable[str] | None = None,
    set_a: Mapping[str, Any] | Iterable[str] | None = None,
    set_b: Mapping[str, Any] | Iterable[str] | None = None,
    threads: int | None = None,
    out: PathLike | None = None,
    force: bool = False,
    progress: bool = False,
) -> CompareResult:
    """Two scenarios on common random numbers, as ``coopetition compare``: run i of A and
    of B share a seed, so differences are paired."""
    with _Workspace(out, "compare") as ws:
        argv = ["compare", _scenario_arg(a, ws, "a"), _scenario_arg(b, ws, "b"),
                "--runs", str(runs), "--seed", str(seed), "--out", str(ws.path)]
        argv += _sets("--set", set) + _sets("--set-a", set_a) + _sets("--set-b", set_b)
        argv += _threads(threads)
        if force:
            argv.append("--force")
        if not progress:
            argv.append("--quiet")
        _warn_failed(command(*argv), "CompareResult.a/.b")
        d = ws.path
        return CompareResult(
            comparison=_table(d, "comparison"),
            switches=_table(d, "switches"),
            metrics=_table(d, "metrics"),
            a=load(d / "a"),
            b=load(d / "b"),
            manifest=_manifest(d),
            dir=ws.kept(),
        )


def analyze(directory: PathLike, *args: str) -> dict[str, pd.DataFrame]:
    """Analyzes a run or sweep directory, as ``coopetition analyze DIR [ARGS]``: writes
    ``DIR/analysis/`` (tables, plots, report) and returns its tables by name."""
    d = Path(directory)
    command("analyze", str(d), *args)
    out = d / "analysis"
    return {p.stem: read_csv(p) for p in sorted(out.glob("*.csv"))}


def scenarios() -> dict[str, str]:
    """The bundled scenarios: name → first line of its description."""
    return dict(_native.bundled_scenarios())


def show(name: str | PathLike = "baseline", set: Mapping[str, Any] | Iterable[str] | None = None) -> dict:
    """A scenario's fully resolved parameters as a dict (what ``coopetition show``
    prints as TOML)."""
    sets = [v for i, v in enumerate(_sets("--set", set)) if i % 2 == 1]
    return json.loads(_native.show_json(str(name), sets))


def params(scenario: str | PathLike = "baseline") -> pd.DataFrame:
    """Every parameter with its value in ``scenario``, unit, valid range and meaning
    (what ``coopetition params`` prints). ``min``/``max`` are NaN for categorical ones."""
    rows = _native.param_rows(str(scenario))
    return pd.DataFrame(rows, columns=["path", "default", "unit", "min", "max", "meaning"])


def _normal_quantile(p: float) -> float:
    """Inverse standard normal CDF."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)
