"""An EMA Workbench adapter: the model as an ``ema_workbench.Model`` whose experiments
are batches of coopetition runs.

>>> from coopetition import ema
>>> m = ema.model(uncertainties={"regulation.stringency": (0.5, 2.0),
...                              "partnership.exclusivity": ["exclusive", "rofr", "none"]})
>>> from ema_workbench import perform_experiments
>>> experiments, outcomes = perform_experiments(m, scenarios=50)   # LHS by default

Each experiment runs ``runs_per_experiment`` runs of the scenario with the sampled
values set (``--set``), all on the same master seed: common random numbers, so the
differences between experiments come from the parameters, not from the draws. Outcomes:
``p_symbiosis``, ``p_decoupling``, ``p_acquisition``, ``p_divestiture`` (shares of the
experiment's runs) and, for each horizon metric of ``outcomes.csv`` asked for, its mean
over the runs (``tension``, ``lab_cloud_share_investor``, ...).

Requires ``ema_workbench`` (``pip install "./python[ema]"``).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from . import _api, _native

#: Horizon metrics reported by default: the first six of ``outcomes.csv`` (SPEC §5).
DEFAULT_METRICS = tuple(_native.METRICS[:6])


def _identifier(path: str) -> str:
    """EMA names must be identifiers: ``regulation.stringency`` → ``regulation__stringency``."""
    return path.replace(".", "__").replace("[", "_").replace("]", "_").replace("-", "_")


def _registry_range(path: str, scenario: str) -> tuple[float, float]:
    """A parameter's valid range from the registry (``coopetition params``)."""
    table = _api.params(scenario).set_index("path")
    # A list element (``products.market_size[2]``) has its list's range.
    listed = path.split("[", 1)[0] if path.endswith("]") else path
    if listed not in table.index:
        raise _api.InputError(f"uncertainty {path!r}: not a parameter (see coopetition.params())")
    row = table.loc[listed]
    if row["min"] != row["min"]:  # NaN: categorical
        raise _api.InputError(f"uncertainty {path!r}: categorical; give its levels, {{{path!r}: [...]}}")
    return (float(row["min"]), float(row["max"]))


def parameters(uncertainties: Mapping[str, Any] | Sequence[Any], scenario: str = "baseline") -> tuple[list, dict]:
    """EMA parameters from ``{path: (low, high) | [categories]}`` (integers in a tuple give
    an ``IntegerParameter``); from a list of paths (each over its whole valid range, as
    ``coopetition.params()`` gives it: explicit ranges are usually better), of
    ``(path, low, high)`` tuples, or of EMA parameter objects whose ``variable_name`` (or
    name) is a parameter path. Returns the parameters and a map from EMA name to path."""
    from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter

    params, paths = [], {}
    if not isinstance(uncertainties, Mapping) and all(
        isinstance(u, (str, tuple)) for u in uncertainties
    ):
        spec = {}
        for u in uncertainties:
            if isinstance(u, str):
                spec[u] = _registry_range(u, scenario)
            else:
                spec[u[0]] = tuple(u[1:]) if len(u) == 3 else u[1]
        uncertainties = spec
    if isinstance(uncertainties, Mapping):
        for path, spec in uncertainties.items():
            name = _identifier(path)
            if isinstance(spec, tuple) and len(spec) == 2:
                low, high = spec
                if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool):
                    params.append(IntegerParameter(name, low, high))
                else:
                    params.append(RealParameter(name, float(low), float(high)))
            elif isinstance(spec, (list, set)):
                params.append(CategoricalParameter(name, list(spec)))
            else:
                raise _api.InputError(
                    f"uncertainty {path!r}: give (low, high) or a list of categories, not {spec!r}"
                )
            paths[name] = path
    else:
        for p in uncertainties:
            var = getattr(p, "variable_name", None)
            var = var[0] if isinstance(var, (list, tuple)) and var else var
            paths[p.name] = var if isinstance(var, str) and var else p.name.replace("__", ".")
            params.append(p)
    return params, paths


def experiment(
    scenario: str = "baseline",
    runs: int = 200,
    seed: int = 42,
    metrics: Iterable[str] = DEFAULT_METRICS,
    threads: int | None = None,
    values: Mapping[str, Any] | None = None,
) -> dict[str, float]:
    """One experiment: ``runs`` runs of ``scenario`` with ``values`` (path → value) set.
    Returns the outcome shares and the mean of each horizon metric."""
    r = _api.run(scenario, runs=runs, seed=seed, set=dict(values or {}), threads=threads,
                 timeseries=False, events=False)
    ok = r.outcomes
    out = {f"p_{o}": float((ok["outcome"] == o).mean()) for o in _api.OUTCOMES}
    for m in metrics:
        out[m] = float(ok[m].mean())
    return out


class Experiment:
    """The model's function: a picklable callable (for EMA's multiprocessing evaluator)
    mapping EMA names back to parameter paths and running :func:`experiment`."""

    def __init__(self, scenario, runs, seed, metrics, threads, paths):
        self.scenario, self.runs, self.seed = scenario, runs, seed
        self.metrics, self.threads, self.paths = tuple(metrics), threads, dict(paths)

    def __call__(self, **kwargs: Any) -> dict[str, float]:
        values = {self.paths.get(k, k): v for k, v in kwargs.items()}
        return experiment(self.scenario, self.runs, self.seed, self.metrics, self.threads, values)


def model(
    scenario: str = "baseline",
    uncertainties: Mapping[str, Any] | Sequence[Any] = (),
    runs_per_experiment: int = 200,
    seed: int = 42,
    metrics: Iterable[str] = DEFAULT_METRICS,
    levers: Mapping[str, Any] | Sequence[Any] = (),
    name: str = "coopetition",
    threads: int | None = None,
):
    """An ``ema_workbench.Model`` running ``scenario``; see the module's docstring.

    uncertainties / levers: ``{path: (low, high) | [categories]}`` or EMA parameters.
    metrics: horizon metrics (columns of ``outcomes.csv``) reported as means."""
    from ema_workbench import Model, ScalarOutcome

    metrics = tuple(metrics)
    unc, unc_paths = parameters(uncertainties, scenario)
    lev, lev_paths = parameters(levers, scenario)
    function = Experiment(scenario, runs_per_experiment, seed, metrics, threads, {**unc_paths, **lev_paths})
    m = Model(name, function=function)
    m.uncertainties = unc
    if lev:
        m.levers = lev
    m.outcomes = [ScalarOutcome(f"p_{o}") for o in _api.OUTCOMES] + [ScalarOutcome(x) for x in metrics]
    return m
