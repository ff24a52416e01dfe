"""Criteria -> per-frame pass / borderline / fail / not judged, with hysteresis so noise cannot flicker.

A reading outside a criterion's bounds is a fault only when it is past the bound by more than the
signal's measured error (:attr:`Criterion.margin`); closer than that it is *borderline*: it counts
as good form, and the reports show it as its own category. Pure functions: the caller keeps the
previous status of every criterion and passes it in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Final, Literal

from formcheck.exercises.spec import Criterion

#: A criterion's verdict in one frame (as frames.csv writes it).
Status = Literal["pass", "borderline", "fail", "not_judged"]
PASS: Final = "pass"
BORDERLINE: Final = "borderline"
FAIL: Final = "fail"
UNKNOWN: Final = "not_judged"


def outside(value: float, lo: float | None, hi: float | None) -> float:
    """How far ``value`` lies outside ``[lo, hi]`` (signal units; negative: inside, by that much)."""
    return max(lo - value if lo is not None else -math.inf, value - hi if hi is not None else -math.inf)


def hysteresis_status(prev: Status, value: float, lo: float | None, hi: float | None, band: float,
                      margin: float = 0.0) -> Status:
    """Status of ``lo <= value <= hi`` given the previous status, a dead band ``band`` wide and the
    signal's error ``margin``.

    A passing value leaves "pass" only once it is more than ``band/2`` outside a bound; it is a
    fault ("fail") once it is more than ``margin + band/2`` outside, and borderline in between. A
    failing value stays failing until it is within ``margin - band/2`` of the bound; a failing or
    borderline value passes again only once it is more than ``band/2`` inside both bounds. A first
    judgement uses the plain bounds. NaN means the value is unknown: not judged. With
    ``margin = 0`` there is no borderline.
    """
    if value is None or not math.isfinite(value):
        return UNKNOWN
    h = band / 2.0
    out = outside(value, lo, hi)
    if prev == PASS:
        if out <= h:
            return PASS
        return FAIL if out > margin + h else BORDERLINE
    if prev in (FAIL, BORDERLINE):
        if out <= -h:
            return PASS
        fail_from = margin - h if prev == FAIL else margin + h
        return FAIL if out > fail_from else BORDERLINE
    if out <= 0:  # first judgement: plain bounds
        return PASS
    return FAIL if out > margin else BORDERLINE


def criterion_value(c: Criterion, values: Mapping[str, float], baselines: Mapping[str, float]) -> float:
    """The number a criterion judges: the signal, or its change from the baseline if ``relative``."""
    v = values.get(c.signal, math.nan)
    if not c.relative:
        return v
    b = baselines.get(c.signal, math.nan)
    return v - b if math.isfinite(b) else math.nan


def evaluate(criteria: tuple[Criterion, ...], values: Mapping[str, float], baselines: Mapping[str, float],
             prev: Mapping[str, Status]) -> dict[str, Status]:
    """Status of every criterion for one frame, keyed by criterion id."""
    return {
        c.id: hysteresis_status(prev.get(c.id, UNKNOWN), criterion_value(c, values, baselines),
                                c.min, c.max, c.hysteresis, c.margin)
        for c in criteria
    }


def codes_with(criteria: Iterable[Criterion], statuses: Mapping[str, Status], status: Status) -> tuple[str, ...]:
    """The fault codes of the ``criteria`` whose status is ``status``, each once, in the criteria's order
    (pass them most urgent first to get the codes most urgent first)."""
    return tuple(dict.fromkeys(c.code for c in criteria if statuses.get(c.id) == status))


def combine(statuses: Mapping[str, Status]) -> Status:
    """Any fail -> fail; else any not judged (or none at all) -> not judged; else any borderline ->
    borderline; else pass."""
    vals = list(statuses.values())
    if any(s == FAIL for s in vals):
        return FAIL
    if not vals or any(s == UNKNOWN for s in vals):
        return UNKNOWN
    return BORDERLINE if any(s == BORDERLINE for s in vals) else PASS
