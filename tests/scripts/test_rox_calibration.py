"""The calibration script over a few seeds (slow): ROX computed from simulated companies with the
marts' functions covers the planted effects and the placebos' zeros in most seeds. The full
figures (30 seeds) come from running the script and are reported in docs/rox.md."""

from __future__ import annotations

import importlib.util

import pytest

from common.settings import REPO_ROOT

pytestmark = pytest.mark.slow


def _script():
    spec = importlib.util.spec_from_file_location(
        "rox_calibration", REPO_ROOT / "scripts" / "rox_calibration.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_intervals_cover_the_planted_effects_in_most_seeds() -> None:
    script = _script()
    # 3,000 customers: since the demo plants a territory that delivers worse, 2,000 left the
    # hard initiative's interval reaching 0 at one seed (-0.1 to 11.2, truth 9.3; it covered).
    runs = [script.run_seed(seed, 3000) for seed in (101, 102, 103)]
    checks = [key for key, value in runs[0].items() if isinstance(value, bool)]
    assert len(checks) == 7
    for check in checks:
        assert sum(run[check] for run in runs) >= 2, check
    # The planted effects are not zero: the effective initiatives' intervals exclude 0.
    for run in runs:
        low, _, high = run["estimates"]["soft_ex"]
        assert low > 0 and run["estimates"]["soft_ex_truth"] > 10
        assert run["estimates"]["hard_cx"][0] > 0
