"""The passive measures on plain arrays: each one responds to what it is meant to see."""

from __future__ import annotations

import numpy as np

from facegate.services.liveness_passive import (
    border_strength,
    moire_energy,
    motion_between,
    passive_figures,
    specular_share,
)

RNG = np.random.default_rng(5)
ys, xs = np.mgrid[0:96, 0:96]
SMOOTH = np.stack([128 + 60 * np.sin(xs / 15.0) * np.cos(ys / 20.0)] * 3, axis=2).astype(np.uint8)


def test_motion_is_zero_for_a_still_image_and_large_for_a_moving_one() -> None:
    still = [np.full((48, 64), 100.0)] * 3
    assert motion_between(still) == [0.0, 0.0]
    moved = [np.full((48, 64), 100.0), np.full((48, 64), 130.0)]
    assert motion_between(moved) == [30.0]
    assert motion_between([None, still[0]]) == []


def test_moire_sees_a_fine_periodic_pattern() -> None:
    stripes = np.clip(SMOOTH * (0.7 + 0.3 * np.cos(2 * np.pi * xs / 3.0))[..., None], 0, 255).astype(np.uint8)
    assert moire_energy(stripes) > 10 * moire_energy(SMOOTH)
    assert moire_energy(np.zeros((8, 8, 3), np.uint8)) == 0.0


def test_specular_counts_blown_out_pixels() -> None:
    glare = SMOOTH.copy()
    glare[:24, :24] = 255
    assert specular_share(SMOOTH) == 0.0 and specular_share(glare) == (24 * 24) / (96 * 96)


def test_border_sees_a_long_straight_edge() -> None:
    room = RNG.normal(120, 3, (48, 64))  # a block-averaged thumbnail keeps little camera noise
    bezel = room.copy()
    bezel[10:40, 12] = 10  # a phone's dark edge running down most of the frame
    bezel[10:40, 13:50] = 200
    assert border_strength(room) < 0.1 and border_strength(bezel) > 0.5
    figures = passive_figures([SMOOTH], [room])
    assert set(figures) == {"moire", "specular", "border"}
