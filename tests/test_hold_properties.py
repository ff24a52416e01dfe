"""Invariants of the hold and rep state machines (:mod:`formcheck.judge.holds`) over random frame
streams: increasing timestamps with random steps, gaps far over the grace time, and random
in-position / side / verdict (holds) or signal / in-position / fault (reps) streams.

Holds: the seconds booked in a hold never exceed its wall time, each frame's duration is booked at
most once (into the hold whose span holds the frame), holds are in time order and never overlap.
Reps: in time order, never overlapping, seconds at the top within the rep. Only invariants every
correct hold timer and rep counter satisfies — not when exactly a rep starts or ends."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from formcheck.exercises.spec import RepsSpec, Timing
from formcheck.judge.holds import FrameVerdict, HoldRecord, HoldTracker, RepRecord, RepTracker
from formcheck.judge.reasons import Reason, Unjudged
from formcheck.judge.rules import BORDERLINE, FAIL, PASS, UNKNOWN
from formcheck.judge.sides import UNKNOWN_SIDE

FAST = settings(max_examples=150, deadline=None)
EPS = 1e-6  # seconds: float rounding over a few hundred frame steps is far below this

timings = st.builds(Timing, debounce_s=st.floats(0, 1.5), grace_s=st.floats(0, 2),
                    baseline_settle_s=st.just(0.5), baseline_s=st.just(1.0))


@dataclass(frozen=True)
class Frame:
    t: float
    in_position: bool | None
    side: str | None
    verdict: FrameVerdict | None
    value: float = 0.0
    faults: tuple[str, ...] = ()


# Time between frames, as (kind, u in [0, 1]) turned into seconds by :func:`seconds` (strategies are
# built once: building one per draw costs more than the whole state machine run).
STEP = st.tuples(st.sampled_from(["frame", "uneven", "over grace", "gap"]), st.floats(0, 1))
REGULAR = st.sampled_from([1 / 60, 1 / 30, 0.1, 0.3])


def seconds(step: tuple[str, float], grace: float) -> float:
    """A camera's frame step, an uneven one, a stall just over grace or a gap far over it (> 0 s)."""
    kind, u = step
    if kind == "frame":
        return (1 / 60, 1 / 30, 0.1)[int(u * 2.999)]
    if kind == "uneven":
        return 1e-3 + u
    if kind == "over grace":
        return max(grace, 1e-3) + u * (2 * grace + 2)
    return 10 + 490 * u


VERDICTS = (
    None, FrameVerdict(PASS), FrameVerdict(BORDERLINE, borderline=("hips_low",)),
    FrameVerdict(FAIL, faults=("hips_low",)), FrameVerdict(FAIL, faults=("a", "b"), borderline=("c",)),
    FrameVerdict(UNKNOWN, not_judged=(("tilt", Reason(Unjudged.OUTLINE_COVERED, "hand covers the lower back")),)),
    FrameVerdict(UNKNOWN, not_judged=(("knee", Reason(Unjudged.NO_PERSON)),)), FrameVerdict(UNKNOWN),
)


def frame_times(draw: st.DrawFn, t: float, grace: float) -> list[float]:
    """One run of increasing frame times after ``t``: a first step (maybe a gap), then a camera's
    regular step but for up to three other steps (uneven, stalls, gaps)."""
    n, first, regular = draw(st.integers(1, 25)), draw(STEP), draw(REGULAR)
    odd = {i % n: seconds(step, grace) for i, step in draw(st.lists(st.tuples(st.integers(0, 24), STEP), max_size=3))}
    times = [t + seconds(first, grace)]
    for i in range(1, n):
        times.append(times[-1] + odd.get(i, regular))
    return times


@st.composite
def hold_streams(draw: st.DrawFn) -> tuple[Timing, list[Frame]]:
    """Runs of frames with one in-position answer and side each (so holds form, break and switch sides)
    and a short cycle of verdicts."""
    timing = draw(timings)
    frames: list[Frame] = []
    t = draw(st.sampled_from([0.0, 5.0, 86_400.0]))
    for _ in range(draw(st.integers(1, 10))):
        in_position = draw(st.sampled_from([True, True, False, None]))
        side = draw(st.sampled_from(["left", "right", None]))
        cycle = draw(st.lists(st.sampled_from(VERDICTS), min_size=1, max_size=4))
        times = frame_times(draw, t, timing.grace_s)
        frames += [Frame(ft, in_position, side, cycle[i % len(cycle)]) for i, ft in enumerate(times)]
        t = times[-1]
    return timing, frames


def run_holds(timing: Timing, frames: list[Frame]) -> list[HoldRecord]:
    tracker = HoldTracker(timing)
    for f in frames:
        tracker.update(f.t, f.in_position, f.side, f.verdict)
    return tracker.finish()


def booked(h: HoldRecord) -> float:
    return h.good_form_s + h.faulty_s + h.not_judged_s + h.unseen_s + h.break_s


def frame_seconds(frames: list[Frame], start: float, end: float, cap: float) -> float:
    """The most a hold spanning [start, end] can book: each frame's step (capped at ``cap``) once, for
    the frames after its start up to its end."""
    prev = None
    total = 0.0
    for f in frames:
        if prev is not None and start < f.t <= end:
            total += min(f.t - prev, cap)
        prev = f.t
    return total


@FAST
@given(hold_streams())
def test_holds_book_each_second_once_within_them_in_order_without_overlap(stream):
    timing, frames = stream
    holds = run_holds(timing, frames)
    event(f"{min(len(holds), 2)}+ holds")
    for a, b in zip(holds, holds[1:], strict=False):
        assert a.end_s < b.start_s, (a, b)  # in time order, never overlapping: a frame is in one hold at most
    at = {f.t: f for f in frames}
    for h in holds:
        assert h.end_s - h.start_s >= timing.debounce_s - EPS, h  # confirmed: in position for the debounce
        for t in (h.start_s, h.end_s):  # begins and ends on a frame in position on the hold's side
            assert at[t].in_position and (at[t].side or UNKNOWN_SIDE) == h.side, (h, at[t])
        assert booked(h) <= h.end_s - h.start_s + EPS, h
        assert booked(h) <= frame_seconds(frames, h.start_s, h.end_s, timing.grace_s) + EPS, h
        assert h.borderline_s <= h.good_form_s + EPS, h
        assert all(s <= h.faulty_s + EPS for s in h.fault_s.values()), h
        assert min(h.good_form_s, h.faulty_s, h.not_judged_s, h.unseen_s, h.break_s) >= 0, h
    assert sum(booked(h) for h in holds) <= frame_seconds(frames, -1.0, frames[-1].t, timing.grace_s) + EPS


# --- reps ---

@st.composite
def rep_streams(draw: st.DrawFn) -> tuple[RepsSpec, Timing, list[Frame]]:
    """Runs of frames, low and high in turn, each at a random level above a resting floor (rest, halfway,
    above the start, at the top, unknown) with a little noise and a few frames where the signal drops out."""
    start = draw(st.floats(0.05, 0.4))
    spec = RepsSpec("hip_lift.near", start_above=start, end_below=start - draw(st.floats(0.01, 0.04)),
                    top_fraction=draw(st.floats(0.5, 0.95)), top_max_rate=draw(st.floats(0.2, 2)),
                    floor_window_s=draw(st.floats(1, 8)), start_fraction=draw(st.floats(0, 0.3)),
                    top_settle_s=draw(st.floats(0, 0.4)), min_rep_s=draw(st.floats(0, 1)),
                    end_fraction=draw(st.floats(0, 0.4)))
    timing = draw(timings)
    t = draw(st.sampled_from([0.0, 86_400.0]))
    frames: list[Frame] = []
    down, up = [0.0, 0.0, start / 2, math.nan], [start + 0.05, start + 0.3, math.nan]
    for k in range(draw(st.integers(1, 12))):
        pick = draw(st.integers(0, 11))
        level = up[pick % 3] if k % 2 else down[pick % 4]  # down and up in turn, so reps happen
        in_position = draw(st.sampled_from([True, True, True, False, None]))
        noise = draw(st.lists(st.floats(-0.003, 0.003), min_size=1, max_size=4))
        faults = draw(st.lists(st.sampled_from([(), ("hips_low",), ("hips_low", "knees_out")]), min_size=1, max_size=3))
        times = frame_times(draw, t, timing.grace_s)
        lost = {i % len(times) for i in draw(st.lists(st.integers(0, 24), max_size=3))}  # the signal drops out
        frames += [Frame(ft, in_position, "both", None, math.nan if i in lost else level + noise[i % len(noise)],
                         faults[i % len(faults)]) for i, ft in enumerate(times)]
        t = times[-1]
    return spec, timing, frames


def run_reps(spec: RepsSpec, timing: Timing, frames: list[Frame]) -> tuple[list[RepRecord], list[bool]]:
    tracker = RepTracker(spec, timing)
    at_top = [tracker.update(f.t, f.value, f.in_position, "both", f.faults) for f in frames]
    return tracker.finish(), at_top


@FAST
@given(rep_streams())
def test_reps_never_overlap_and_hold_the_top_only_for_frames_seen_at_the_top(stream):
    spec, timing, frames = stream
    reps, at_top = run_reps(spec, timing, frames)
    event(f"{sum(at_top) and 'some' or 'no'} frames at the top; {min(len(reps), 2)}+ reps")
    for a, b in zip(reps, reps[1:], strict=False):
        assert a.end_s <= b.start_s, (a, b)
    for r in reps:
        assert 0 <= r.top_hold_s <= r.end_s - r.start_s + EPS, r
        assert all(0 < s <= r.top_hold_s + EPS for s in r.fault_s.values()), r
    # The most the reps can hold at the top: each top frame's step (capped at grace) since the frame before it.
    top_frames = [(prev.t, f.t) for prev, f, top in zip(frames[:-1], frames[1:], at_top[1:], strict=True) if top]
    assert sum(r.top_hold_s for r in reps) <= sum(min(t - prev, timing.grace_s) for prev, t in top_frames) + EPS
    assert all(any(r.start_s <= t <= r.end_s for r in reps) for _, t in top_frames)  # at the top = in a rep


def test_a_hold_with_a_gap_over_grace_in_position_books_at_most_grace():
    # A camera that stalls 30 s while the person stays in position: the hold spans the stall, its
    # seconds count at most grace for it.
    timing = Timing(debounce_s=0.2, grace_s=1.0)
    frames = [Frame(t, True, "left", FrameVerdict(PASS)) for t in (0.0, 0.1, 0.2, 0.3, 30.3, 30.4)]
    (h,) = run_holds(timing, frames)
    assert (h.start_s, h.end_s) == (0.0, 30.4)
    assert h.good_form_s == pytest.approx(0.3 + 1.0 + 0.1)


def test_seconds_with_the_rep_signal_lost_are_not_held_at_the_top():
    # Found by the property above: the hips at the top, lost for 0.6 s (six frames with no value), then
    # seen at the top again. Those 0.6 s were booked as 'held at the top' with the next frame seen.
    spec = RepsSpec("hip_lift.near", start_above=0.12, end_below=0.08, top_fraction=0.75, top_max_rate=0.3)
    values = [0.0] + [0.4] * 10 + [math.nan] * 6 + [0.4, 0.4, 0.0]
    frames = [Frame(round(0.1 * i, 1), True, "both", None, v) for i, v in enumerate(values)]
    (rep,), at_top = run_reps(spec, Timing(grace_s=1.0), frames)
    assert not any(top for top, v in zip(at_top, values, strict=True) if math.isnan(v))
    assert rep.top_hold_s == pytest.approx(0.1 * sum(at_top))  # each frame seen at the top, its 0.1 s
