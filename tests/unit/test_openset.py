"""The open-set 1:N rule: calibration counts, threshold per gallery size, margin (M-4.2, M-4.4)."""

from __future__ import annotations

import numpy as np
import pytest

from facegate.adapters.face.calibrations import shipped_calibration
from facegate.domain.openset import Calibration, calibrate, decide_open_set, plan_open_set


def _people(n: int, shots: int, spread: float, seed: int = 0) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    labels, rows = [], []
    for i in range(n):
        centre = rng.standard_normal(16)
        centre /= np.linalg.norm(centre)
        for _ in range(shots):
            labels.append(f"p{i}")
            rows.append(centre + spread * rng.standard_normal(16) / 4)
    return labels, np.asarray(rows)


def test_calibration_counts_every_pair_once_like_brute_force() -> None:
    labels, x = _people(12, 3, 0.3)
    cal = calibrate("e", labels, x, block=7)  # blocks smaller than the set: pairs across blocks count once
    n = len(x)
    d = np.linalg.norm(x[:, None] - x[None], axis=-1)
    iu = np.triu_indices(n, 1)
    same = (np.asarray(labels)[:, None] == np.asarray(labels)[None])[iu]
    assert cal.genuine_pairs == same.sum() == 12 * 3
    assert cal.impostor_pairs == (~same).sum()
    assert cal.people == 12 and cal.photos == 36
    for i in (40, 100, 160, 250):
        t = cal.thresholds[i]
        assert cal.genuine_le[i] == int((d[iu][same] <= t).sum())
        assert cal.impostor_le[i] == int((d[iu][~same] <= t).sum())
    assert Calibration.from_dict(cal.to_dict()) == cal


def test_threshold_tightens_as_the_gallery_grows_and_meets_the_target() -> None:
    cal = shipped_calibration("dlib_resnet_v1")
    assert cal is not None and cal.impostor_pairs > 1_000_000
    plans = [plan_open_set(cal, n, target_fpir=0.01, margin=0.02, max_miss=0.1, ceiling=0.6)
             for n in (1, 10, 100, 1000, 10_000)]
    thresholds = [p.threshold for p in plans]
    assert thresholds == sorted(thresholds, reverse=True) and thresholds[0] == 0.6 > thresholds[-1]
    for p in plans:
        assert p.reaches_target and p.expected_fpir is not None and p.expected_fpir <= 0.01
        assert cal.fpir(p.threshold, p.gallery_size) <= 0.01
    # The 1:1 threshold over 1,000 templates would name a stranger most of the time (issue 13).
    assert cal.fpir(0.6, 1000) > 0.9
    assert plans[0].is_usable and not plans[3].is_usable


def test_a_gallery_too_large_for_the_calibration_is_not_claimed_safe() -> None:
    cal = shipped_calibration("dlib_resnet_v1")
    assert cal is not None
    p = plan_open_set(cal, 10_000_000, target_fpir=0.01, margin=0.02, max_miss=0.1, ceiling=0.6)
    # One impostor pair in a million cannot show a FAR of 1e-9: the target is not reached.
    assert not p.reaches_target and not p.is_usable
    assert cal.impostor_le[cal.thresholds.index(p.threshold)] == 0


def test_uncalibrated_engines_say_so() -> None:
    p = plan_open_set(None, 50, target_fpir=0.01, margin=0.02, max_miss=0.1, ceiling=0.6)
    assert p.threshold == 0.6 and not p.is_calibrated and not p.is_usable and p.expected_fpir is None
    assert shipped_calibration("fake") is None and shipped_calibration("../etc/passwd") is None


@pytest.mark.parametrize(("best", "second", "outcome"), [
    (None, None, "no_match"), (0.5, None, "no_match"), (0.3, None, "identified"),
    (0.3, 0.31, "ambiguous"), (0.3, 0.33, "identified"), (0.3, 0.9, "identified"),
])
def test_the_best_must_be_within_the_threshold_and_clear_of_the_next_person(best, second, outcome) -> None:  # type: ignore[no-untyped-def]
    cal = shipped_calibration("dlib_resnet_v1")
    p = plan_open_set(cal, 100, target_fpir=0.01, margin=0.02, max_miss=0.1, ceiling=0.6)
    assert p.threshold < 0.5
    assert decide_open_set(p, best, second) == outcome


def test_bad_calibrations_are_refused() -> None:
    with pytest.raises(ValueError):
        Calibration("e", "", (0.1, 0.2), (0,), (0, 0), 1, 1)
    with pytest.raises(ValueError):
        Calibration("e", "", (0.1,), (0,), (0,), 0, 5)
