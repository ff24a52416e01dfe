"""Criteria -> per-frame pass / fail / not judged, with hysteresis so noise cannot flicker.

Pure functions: the caller keeps the previous status of every criterion and passes it in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final, Literal

from formcheck.exercises.spec import Criterion

#: A criterion's verdict in one frame (as frames.csv writes it).
Status = Literal["pass", "fail", "not_judged"]
PASS: Final = "pass"
FAIL: Final = "fail"
UNKNOWN: Final = "not_judged"


def hysteresis_status(prev: Status, value: float, lo: float | None, hi: float | None, band: float) -> Status:
    """Status of ``lo <= value <= hi`` given the previous status and a dead band ``band`` wide.

    A passing value fails only once it is more than ``band/2`` outside a bound; a failing (or
    not yet judged) value passes only once it is more than ``band/2`` inside both bounds.
    NaN means the value is unknown: not judged.
    """
    if value is None or not math.isfinite(value):
        return UNKNOWN
    h = band / 2.0
    if prev == PASS:
        out = (lo is not None and value < lo - h) or (hi is not None and value > hi + h)
        return FAIL if out else PASS
    if prev == FAIL:
        inside = (lo is None or value >= lo + h) and (hi is None or value <= hi - h)
        return PASS if inside else FAIL
    inside = (lo is None or value >= lo) and (hi is None or value <= hi)  # first judgement: plain bounds
    return PASS if inside else FAIL


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
                                c.min, c.max, c.hysteresis)
        for c in criteria
    }


def combine(statuses: Mapping[str, Status]) -> Status:
    """All pass -> pass; any fail -> fail; otherwise not judged."""
    vals = list(statuses.values())
    if any(s == FAIL for s in vals):
        return FAIL
    if vals and all(s == PASS for s in vals):
        return PASS
    return UNKNOWN
