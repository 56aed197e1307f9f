"""The Python package against the command line: same tables for the same seed, the same
error messages, Parquet equal to CSV, the GIL released, Ctrl-C, and the EMA example.

The binary is ``$COOPETITION_BIN``, else ``target/release/coopetition`` or
``target/ci/coopetition`` (the README's test command builds the latter); tests that compare
against it skip, saying so, when it is absent.
"""

from __future__ import annotations

import _thread
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import coopetition as cp

ROOT = Path(__file__).resolve().parents[2]
def _default_bin() -> Path:
    built = [ROOT / "target" / profile / "coopetition" for profile in ("release", "ci")]
    return next((b for b in built if b.is_file()), built[0])


BIN = Path(os.environ.get("COOPETITION_BIN", _default_bin()))
needs_bin = pytest.mark.skipif(not BIN.is_file(), reason=f"no CLI binary at {BIN} (cargo build --release)")

RUN_TABLES = ["outcomes", "timeseries", "events", "failures", "timeseries_quantiles"]
SWEEP_TABLES = ["points", "outcomes", "summary", "failures", "timeseries_quantiles"]

SWEEP = {
    "scenario": "baseline",
    "runs_per_point": 30,
    "seed": 3,
    "design": "grid",
    "vary": [
        {"param": "partnership.exclusivity", "values": ["exclusive", "rofr"]},
        {"param": "regulation.stringency", "values": [0.5, 2.0]},
    ],
}


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, cwd=cwd)


def csv(path: Path) -> pd.DataFrame:
    return cp._api.read_csv(path)


def _cell(x):
    """A text cell as the value it spells: '2.0' and '2' are the same number."""
    try:
        return repr(float(x))
    except ValueError:
        return x


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal columns and values; text columns compared with empty cells as '' and
    numbers in mixed text columns (a sweep parameter's levels) by value."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)

    def norm(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        for c in df.columns:
            if not pd.api.types.is_numeric_dtype(df[c]):
                df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str).map(_cell)
        return df.reset_index(drop=True)

    pd.testing.assert_frame_equal(norm(a), norm(b), check_dtype=False, check_exact=True)


# --- equality with the CLI ---------------------------------------------------------


@needs_bin
def test_run_tables_equal_the_cli_csv_for_the_same_seed(tmp_path):
    assert cli("run", "baseline", "--runs", "150", "--seed", "11", "--set", "regulation.stringency=1.5",
               "--out", str(tmp_path / "cli"), "--quiet").returncode == 0
    r = cp.run("baseline", runs=150, seed=11, set={"regulation.stringency": 1.5})
    assert r.dir is None  # temporary files removed
    for name, table in [("outcomes", r.outcomes), ("timeseries", r.timeseries), ("events", r.events),
                        ("failures", r.failures), ("timeseries_quantiles", r.quantiles),
                        ("partnerships", r.partnerships)]:
        same(table, csv(tmp_path / "cli" / f"{name}.csv"))
    # Typed columns from Parquet.
    assert r.outcomes["run"].dtype.kind == "i"
    assert r.outcomes["seed"].dtype.kind == "u"
    assert r.outcomes["tension"].dtype.kind == "f"
    # Every column of the CLI's timeseries.csv, per-company and per-segment ones included.
    assert len(r.timeseries.columns) == len(csv(tmp_path / "cli" / "timeseries.csv").columns) > 90


@needs_bin
def test_csv_files_written_in_process_are_byte_identical_to_the_cli(tmp_path):
    assert cli("run", "talent-war", "--runs", "80", "--seed", "5", "--out", str(tmp_path / "cli"),
               "--quiet").returncode == 0
    r = cp.run("talent-war", runs=80, seed=5, out=tmp_path / "py", format="csv", threads=1)
    assert r.dir == tmp_path / "py"
    for name in RUN_TABLES:
        assert (tmp_path / "py" / f"{name}.csv").read_bytes() == (tmp_path / "cli" / f"{name}.csv").read_bytes(), name


@needs_bin
def test_parquet_from_the_cli_loads_with_pyarrow_and_equals_the_csv(tmp_path):
    for fmt in ("csv", "parquet"):
        res = cli("run", "--runs", "120", "--seed", "9", "--out", str(tmp_path / fmt), "--format", fmt, "--quiet")
        if res.returncode == 2 and "no Parquet support" in res.stderr:
            pytest.skip("the CLI binary was built without the parquet feature")
        assert res.returncode == 0, res.stderr
    for name in RUN_TABLES:
        assert not (tmp_path / "parquet" / f"{name}.csv").exists()
        table = pq.read_table(tmp_path / "parquet" / f"{name}.parquet")
        same(table.to_pandas(), csv(tmp_path / "csv" / f"{name}.csv"))


@needs_bin
def test_sweep_merge_and_analyze_take_parquet(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(cp._native.json_to_toml(__import__("json").dumps({"sweep": SWEEP})))
    assert cli("sweep", str(spec), "--out", str(tmp_path / "cli"), "--quiet").returncode == 0
    s = cp.sweep(SWEEP)
    for name, table in [("points", s.points), ("outcomes", s.outcomes), ("summary", s.summary),
                        ("failures", s.failures), ("timeseries_quantiles", s.quantiles)]:
        same(table, csv(tmp_path / "cli" / f"{name}.csv"))
    # Shards in Parquet, merged: the merged tables are Parquet and equal the unsharded CSV.
    for k in (1, 2):
        cp.command("sweep", str(spec), "--shard", f"{k}/2", "--out", str(tmp_path / f"shard{k}"),
                   "--format", "parquet", "--quiet")
    cp.command("merge", str(tmp_path / "shard1"), str(tmp_path / "shard2"), "--out", str(tmp_path / "merged"))
    for name in SWEEP_TABLES:
        same(pd.read_parquet(tmp_path / "merged" / f"{name}.parquet"), csv(tmp_path / "cli" / f"{name}.csv"))
    # analyze reads Parquet and finds what it finds on CSV.
    on_parquet = cp.analyze(tmp_path / "merged")
    assert cli("analyze", str(tmp_path / "cli")).returncode == 0
    for name in ("outcome_probabilities", "effects"):
        same(on_parquet[name], csv(tmp_path / "cli" / "analysis" / f"{name}.csv"))


@needs_bin
def test_compare_equals_the_cli(tmp_path):
    assert cli("compare", "baseline", "baseline", "--set-b", "regulation.stringency=2", "--runs", "100",
               "--out", str(tmp_path / "cli"), "--quiet").returncode == 0
    c = cp.compare("baseline", "baseline", set_b={"regulation.stringency": 2}, runs=100)
    for name, table in [("comparison", c.comparison), ("switches", c.switches), ("metrics", c.metrics)]:
        same(table, csv(tmp_path / "cli" / f"{name}.csv"))
    same(c.b.outcomes, csv(tmp_path / "cli" / "b" / "outcomes.csv"))


# --- errors ------------------------------------------------------------------------


@needs_bin
@pytest.mark.parametrize(
    "args, call",
    [
        (["run", "--set", "regulation.stringency=-1"], lambda: cp.run(set={"regulation.stringency": -1})),
        (["run", "no-such-scenario"], lambda: cp.run("no-such-scenario")),
        (["run", "--set", "regulation.stringncy=2"], lambda: cp.run(set=["regulation.stringncy=2"])),
        (["show", "baseline", "--set", "horizon_months=0"], lambda: cp.show("baseline", set={"horizon_months": 0})),
    ],
)
def test_bad_input_raises_input_error_with_the_cli_message(tmp_path, args, call):
    res = cli(*args, cwd=tmp_path)
    assert res.returncode == 2
    message = res.stderr.strip().removeprefix("error: ")
    with pytest.raises(cp.InputError) as e:
        call()
    assert str(e.value) == message
    assert isinstance(e.value, ValueError)


def test_bad_sweep_and_usage_errors_are_input_errors(tmp_path):
    with pytest.raises(cp.InputError, match="design"):
        cp.sweep({**SWEEP, "design": "nonsense"})
    with pytest.raises(cp.InputError, match="no-such-file.toml"):
        cp.sweep(tmp_path / "no-such-file.toml")
    with pytest.raises(cp.InputError, match="--runs"):
        cp.run(runs=0)
    with pytest.raises(cp.InputError, match="no manifest.json"):
        cp.load(tmp_path)


def test_an_existing_output_directory_is_not_overwritten(tmp_path):
    cp.run(runs=20, out=tmp_path / "r")
    with pytest.raises(cp.InputError, match="--force"):
        cp.run(runs=20, out=tmp_path / "r")
    cp.run(runs=20, out=tmp_path / "r", force=True)


# --- the rest of the API -----------------------------------------------------------


def test_probabilities_have_wilson_intervals():
    p = cp.run(runs=400, seed=1).probabilities()
    assert list(p["outcome"]) == list(cp._api.OUTCOMES)
    assert abs(p["p"].sum() - 1) < 1e-12
    assert (p["lo"] <= p["p"]).all() and (p["p"] <= p["hi"]).all()
    # Wilson at k = 0: the upper bound is z²/(n + z²).
    assert cp._native.wilson_interval(0, 400)[1] == pytest.approx(cp._api.Z95**2 / (400 + cp._api.Z95**2))


def test_scenarios_show_and_params():
    names = cp.scenarios()
    assert "baseline" in names and "talent-war" in names
    s = cp.show("baseline", set={"regulation.stringency": 2})
    assert s["regulation"]["stringency"] == 2
    assert s["horizon_months"] == 18
    p = cp.params()
    assert {"path", "default", "unit", "min", "max", "meaning"} <= set(p.columns)
    row = p.set_index("path").loc["regulation.stringency"]
    assert row["default"] == "1.0" and row["max"] == 1000
    # Roster fields once per company, by the path `set` takes.
    assert p.set_index("path").loc["companies.lab.price"]["default"] == "1.0"
    assert cp.show("baseline", set={"companies.lab.price": 2, "products.market_size[2]": 0.9})["products"]["market_size"][2] == 0.9


def test_a_scenario_given_as_a_dict_runs_like_its_file():
    base = cp.show("baseline")
    a = cp.run(base, runs=60, seed=4)
    b = cp.run("baseline", runs=60, seed=4)
    same(a.outcomes, b.outcomes)


def test_the_gil_is_released_while_simulating():
    done = threading.Event()
    ticks = 0

    def work():
        cp.run(runs=3000, seed=2, timeseries=False, events=False)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    # With the GIL held for the whole batch (over a second), this loop could not run.
    assert ticks > 50, ticks


def test_ctrl_c_stops_a_sweep_which_then_resumes_to_the_same_result(tmp_path):
    # 4 x 2000 runs take about 4 s on one thread: the interrupt at 0.5 s lands inside.
    big = {**SWEEP, "runs_per_point": 2000}
    # A process started in the background by a non-interactive shell (as CI may be)
    # inherits SIGINT ignored, and Python then leaves it so: install its handler.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            cp.sweep(big, out=tmp_path / "s", threads=1)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - started < 10
    resumed = cp.sweep(big, out=tmp_path / "s", resume=True)
    whole = cp.sweep(big)
    same(resumed.summary, whole.summary)
    same(resumed.outcomes, whole.outcomes)


def test_the_ema_example_runs_to_prim_output():
    pytest.importorskip("ema_workbench")
    res = subprocess.run([sys.executable, str(ROOT / "examples" / "ema_prim.py")],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "PRIM box for divestiture" in res.stdout
    assert "coverage" in res.stdout and "density" in res.stdout


def test_force_leaves_no_table_of_the_old_results(tmp_path):
    cp.run(runs=30, out=tmp_path / "r", format="parquet")
    r = cp.run(runs=50, out=tmp_path / "r", format="csv", force=True)
    assert len(r.outcomes) == 50
    assert not list((tmp_path / "r").glob("*.parquet"))


def test_a_resumed_sweep_keeps_its_format_and_refuses_another(tmp_path):
    big = {**SWEEP, "runs_per_point": 1500}
    cp.command("sweep", str(_sweep_file(tmp_path, big)), "--out", str(tmp_path / "s"), "--format", "parquet",
               "--max-runs", "600", "--quiet")
    with pytest.raises(cp.InputError, match="started with --format parquet"):
        cp.sweep(_sweep_file(tmp_path, big), out=tmp_path / "s", resume=True, format="csv")
    s = cp.sweep(_sweep_file(tmp_path, big), out=tmp_path / "s", resume=True)
    assert (tmp_path / "s" / "summary.parquet").is_file() and not (tmp_path / "s" / "summary.csv").exists()
    assert s.manifest["format"] == "parquet" and len(s.outcomes) == 6000


def _sweep_file(tmp_path: Path, table: dict) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(cp._native.json_to_toml(__import__("json").dumps({"sweep": table})))
    return path


def test_the_ema_model_pickles_and_takes_a_list_of_paths():
    pytest.importorskip("ema_workbench")
    import pickle

    from coopetition import ema

    m = ema.model(uncertainties=["open_source.strength", ("regulation.stringency", 0.5, 2.0)], runs_per_experiment=20)
    names = [u.name for u in m.uncertainties]
    assert names == ["open_source__strength", "regulation__stringency"]
    f = pickle.loads(pickle.dumps(m.function))
    out = f(open_source__strength=0.3, regulation__stringency=1.0)
    assert set(out) >= {"p_symbiosis", "p_divestiture", "tension"}
    assert abs(sum(out[f"p_{o}"] for o in cp._api.OUTCOMES) - 1) < 1e-12
    e = pickle.loads(pickle.dumps(cp.InputError("x")))
    assert isinstance(e, cp.InputError)
