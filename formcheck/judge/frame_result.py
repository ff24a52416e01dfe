"""What the session decided about one frame: the plain record shared by overlays, reports and live feedback."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from formcheck.judge.rules import Status
from formcheck.judge.sides import Side


@dataclass(frozen=True)
class FrameResult:
    """Everything decided about one frame (plain data for overlays, CSV and live feedback).

    ``xy``: cleaned landmarks (33, 2) px, NaN unknown. ``values``: the exercise's signals.
    ``statuses``: criterion id -> "pass" / "borderline" / "fail" / "not_judged". ``hold_good_s``:
    good-form seconds of the hold in progress (0 when none). ``cue``: the one instruction to show now.
    ``baselines``: the person's own neutral of each relative signal, once taken (its units): a
    relative criterion judges ``values[signal] - baselines[signal]``. ``unseen``: every form
    criterion judged passes (or is borderline) but those not judged because an arm covers the back
    outline — good form with part of it (the tilt) not seen.
    """

    index: int
    t: float
    found: bool
    xy: NDArray[np.float64]
    values: dict[str, float]
    statuses: dict[str, Status]
    in_position: bool | None
    side: Side | None
    facing: int
    in_hold: bool
    hold_good_s: float
    at_top: bool
    reps_done: int
    cue: str
    cue_code: str
    faults: tuple[str, ...]
    baselines: dict[str, float] = field(default_factory=dict)
    unseen: bool = False
