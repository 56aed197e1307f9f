"""Scenario discovery with EMA Workbench: which combinations of four knobs make a
divestiture likely?

50 Latin-hypercube experiments over regulatory stringency, the cost of migrating cloud
workloads, product overlap between the partners and open-source strength; each
experiment is 200 runs of the baseline on common seeds. PRIM then finds the box of
knob values where the divestiture probability is above the baseline's 5%.

    pip install "./python[ema]"
    python examples/ema_prim.py            # about 20 s on 2 cores
"""

import numpy as np
from ema_workbench import Samplers, perform_experiments
from ema_workbench.analysis import prim

from coopetition import ema

UNCERTAINTIES = {
    "regulation.stringency": (0.25, 3.0),
    "cloud.migration_cost": (0.25, 4.0),
    "products.overlap": (0.0, 1.0),
    "open_source.strength": (0.0, 1.0),
}
THRESHOLD = 0.05  # the article's expert view of divestiture over 18 months


def main() -> None:
    np.random.seed(42)  # EMA's LHS draws from numpy's global generator
    model = ema.model("baseline", uncertainties=UNCERTAINTIES, runs_per_experiment=200, seed=42)
    experiments, outcomes = perform_experiments(model, scenarios=50, uncertainty_sampling=Samplers.LHS)
    knobs = [ema._identifier(p) for p in UNCERTAINTIES]
    x = experiments[knobs]
    p_div = np.asarray(outcomes["p_divestiture"])
    y = p_div > THRESHOLD
    print(f"{len(x)} experiments; divestiture above {THRESHOLD:.0%} in {y.sum()} "
          f"(p_divestiture {p_div.min():.3f}..{p_div.max():.3f})")
    if y.sum() == 0 or y.all():
        print("PRIM box for divestiture: none (the outcome does not vary across experiments)")
        return
    finder = prim.Prim(x, y, threshold=0.6, peel_alpha=0.1)
    box = finder.find_box()
    point = box.peeling_trajectory.iloc[box._cur_box]
    print(f"PRIM box for divestiture: coverage {point['coverage']:.2f}, density {point['density']:.2f}, "
          f"mass {point['mass']:.2f}")
    limits = box.box_lims[box._cur_box]
    for knob, path in zip(knobs, UNCERTAINTIES):
        lo, hi = limits[knob].iloc[0], limits[knob].iloc[1]
        print(f"  {path:<24} {lo:8.3f} .. {hi:8.3f}   (sampled {UNCERTAINTIES[path][0]} .. {UNCERTAINTIES[path][1]})")


if __name__ == "__main__":
    main()
