"""The rep counter on hand-built signals: a rep is a lift from the resting level and a return to it.

Signals are hip heights in thigh lengths (``hip_lift.near``), sampled at 30 frames per second,
fed straight to :class:`RepTracker` with the bundled bridge's rep settings, so every expected
count and time below follows from the numbers in the signal.
"""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.exercises import load_exercise
from formcheck.judge.holds import RepRecord, RepTracker

SPEC = load_exercise("bridge")
assert SPEC.reps is not None
FPS = 30.0
REST = 0.03  # resting level of these signals (hip a little above the shoulder, lying flat)


def rest(seconds: float, level: float = REST) -> list[float]:
    return [level] * round(seconds * FPS)


def rep(height: float, top_s: float = 2.0, base: float = REST, end: float | None = None) -> list[float]:
    """Up in 1 s, ``top_s`` still at ``base + height``, down in 1 s to ``end`` (default ``base``)."""
    end = base if end is None else end
    up = list(np.linspace(base, base + height, round(FPS) + 1)[1:])
    down = list(np.linspace(base + height, end, round(FPS) + 1)[1:])
    return up + [base + height] * round(top_s * FPS) + down


def count(values: list[float], in_position: list[bool] | None = None,
          low_line_under: float = 0.2) -> list[RepRecord]:
    """Feed the values (one per frame); a frame below ``low_line_under`` over REST reports
    ``hips_low`` as the fault of the moment, as the session's line rule would."""
    assert SPEC.reps is not None
    tracker = RepTracker(SPEC.reps, SPEC.timing)
    for i, v in enumerate(values):
        pos = True if in_position is None else in_position[i]
        faults = ("hips_low",) if v - REST < low_line_under else ()
        tracker.update(i / FPS, v, pos, "both", faults)
    return tracker.finish()


def test_three_good_reps_each_with_its_top_time():
    reps = count(rest(2) + rep(0.4) + rest(1.5) + rep(0.4) + rest(1.5) + rep(0.4) + rest(2))
    assert len(reps) == 3
    for r in reps:
        assert r.complete and r.fault_s == {}
        assert r.top_hold_s == pytest.approx(2.0, abs=0.25)  # 2 s still at the top (less the 0.2 s to see it)
        assert r.peak == pytest.approx(0.4, abs=1e-6)


def test_a_shallow_rep_among_good_ones_is_a_rep_with_hips_low():
    # The middle lift leaves the floor clearly (0.08 thigh lengths) but stops far short of the top.
    reps = count(rest(2) + rep(0.4) + rest(1.5) + rep(0.08) + rest(1.5) + rep(0.4) + rest(2))
    assert len(reps) == 3
    shallow = reps[1]
    assert shallow.peak == pytest.approx(0.08, abs=1e-6)
    # Its own top: near its own peak and slow. A lift this small is slow all the way (0.08 per second), so
    # the last quarter of the rise and the first of the descent are near the peak too (2.5 s); the top is
    # shown only once the lift has lasted 0.5 s (a shorter one is no rep): it crosses the start level
    # (0.06) 0.75 s into the rise, so the top starts as the plateau does: 2.0-2.25 s.
    assert 1.95 <= shallow.top_hold_s <= 2.3
    assert "hips_low" in shallow.fault_s
    assert reps[0].fault_s == {} and reps[2].fault_s == {}


def test_small_movements_after_the_set_make_no_rep():
    rng = np.random.default_rng(3)
    jitter = list(REST + rng.uniform(-0.015, 0.015, round(6 * FPS)))  # shuffling on the mat (real: <= 0.03 range)
    bump = rep(0.03, top_s=0.3)  # a small shift of the hips on the mat
    reps = count(rest(2) + rep(0.4) + rest(1.5) + rep(0.4) + jitter + bump + rest(2))
    assert len(reps) == 2


def test_a_blip_shorter_than_the_minimum_is_no_rep():
    blip = [REST + 0.3] * round(0.3 * FPS)  # one misread third of a second
    assert count(rest(2) + blip + rest(3)) == []


def test_sitting_up_out_of_position_is_no_rep_and_no_floor():
    # Lying, one rep, then sitting up: out of position, the hip reads far below the shoulder.
    values = rest(2) + rep(0.4) + rest(1.5) + [-0.8] * round(3 * FPS) + rest(2)
    in_pos = [True] * (len(values) - round(5 * FPS)) + [False] * round(3 * FPS) + [True] * round(2 * FPS)
    assert len(count(values, in_pos)) == 1


def test_frames_out_of_position_before_lying_down_do_not_set_the_floor():
    # A title card or standing up first: wild readings out of position, then three reps.
    values = [-1.3] * round(3 * FPS) + rest(1) + rep(0.5) + rest(1.5) + rep(0.5) + rest(1.5) + rep(0.5) + rest(2)
    in_pos = [False] * round(3 * FPS) + [True] * (len(values) - round(3 * FPS))
    assert len(count(values, in_pos)) == 3


def test_a_resting_level_that_shifts_between_reps_still_separates_them():
    # After the first rep the hips come down onto a higher resting level (+0.07: one leg raised).
    high = REST + 0.07
    values = rest(2) + rep(0.5, end=high) + rest(1.5, high) + rep(0.45, base=high) + rest(2, high)
    assert len(count(values)) == 2


def test_a_long_top_hold_stays_one_rep():
    reps = count(rest(2) + rep(0.4, top_s=12.0) + rest(2))
    assert len(reps) == 1
    assert reps[0].top_hold_s == pytest.approx(12.0, abs=0.3)


def test_a_rep_in_progress_at_the_end_is_kept_as_incomplete():
    reps = count(rest(2) + rep(0.4)[: round(2.5 * FPS)])
    assert len(reps) == 1 and not reps[0].complete
