"""Hysteresis: thresholds enter at one value and leave at another, so noise cannot flicker."""

from __future__ import annotations

import math

from formcheck.judge.rules import FAIL, PASS, UNKNOWN, combine, hysteresis_status


def run(values, lo=None, hi=None, band=4.0, start=UNKNOWN):
    out, st = [], start
    for v in values:
        st = hysteresis_status(st, v, lo, hi, band)
        out.append(st)
    return out


def test_max_bound_with_dead_band():
    # max 15, band 4: a passing value fails only above 17; a failing one passes only at or below 13.
    seq = [10, 16, 17.5, 16, 14, 13, 16.9]
    assert run(seq, hi=15) == [PASS, PASS, FAIL, FAIL, FAIL, PASS, PASS]


def test_min_bound_noise_around_threshold_does_not_flicker():
    noisy = [10 + 1.5 * math.sin(i) for i in range(50)]  # +-1.5 around the bound, band 4
    states = run(noisy, lo=10, start=PASS)
    assert set(states) == {PASS}
    states = run(noisy, lo=10, start=FAIL)
    assert set(states) == {FAIL}


def test_nan_is_not_judged_and_first_judgement_uses_plain_bounds():
    assert run([math.nan, 15.5], hi=15) == [UNKNOWN, FAIL]
    assert run([14.9], hi=15) == [PASS]


def test_combine():
    assert combine({"a": PASS, "b": PASS}) == PASS
    assert combine({"a": PASS, "b": UNKNOWN}) == UNKNOWN
    assert combine({"a": UNKNOWN, "b": FAIL}) == FAIL
