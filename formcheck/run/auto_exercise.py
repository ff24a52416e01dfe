"""``--exercise auto``: which bundled exercise a single clip shows.

Pose runs once over the clip; the same records are judged by a session of every bundled exercise, and
the exercise whose position is **held longest** is chosen: for a reps exercise its set (the seconds of
its complete reps), for a hold exercise its longest hold less the seconds inside another exercise's
set reps (moving through reps is not holding still: the top of a bridge rep is also "lying, knees
bent, hips up", the supported bridge's position). A "rep" longer than :data:`MAX_REP_FACTOR` times the
exercise's top target is a held position, not a rep (the hips lifted onto a block and left there, then
dropped, is the supported bridge), so it does not count. No position held at all -> exit 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import NoUsableFramesError
from formcheck.exercises.spec import ExerciseSpec, available_exercises, load_exercise
from formcheck.judge.holds import RepRecord
from formcheck.judge.session import Session, SessionResult
from formcheck.media.sources import open_source
from formcheck.pose.analyse import PoseRecord
from formcheck.run.pose_once import collect_records

MAX_REP_FACTOR = 8.0  # bridge: a "rep" over 16 s (2 s target at the top, ~1 s up and down) is a held position


@dataclass(frozen=True)
class Pick:
    """The chosen exercise (None: no position held) and every exercise's held seconds, longest first."""

    exercise: str | None
    held_s: tuple[tuple[str, float], ...]

    def words(self) -> str:
        """E.g. 'bridge (position held 24.3 s; next: supported-bridge 3.1 s)'."""
        rest = ", ".join(f"{n} {s:.1f} s" for n, s in self.held_s[1:] if s > 0) or "no other exercise"
        return f"{self.exercise} (position held {self.held_s[0][1]:.1f} s; next: {rest})"


def set_reps(result: SessionResult) -> list[RepRecord]:
    """The reps of ``result`` that make a set: complete, and no longer than a rep (see :data:`MAX_REP_FACTOR`)."""
    limit = MAX_REP_FACTOR * result.spec.target_s
    return [r for r in result.reps if r.complete and r.end_s - r.start_s <= limit]


def _overlap(a: float, b: float, spans: list[tuple[float, float]]) -> float:
    """Seconds of ``[a, b]`` inside the (disjoint) ``spans``."""
    return sum(max(0.0, min(b, y) - max(a, x)) for x, y in spans)


def held_seconds(result: SessionResult, rep_spans: list[tuple[float, float]]) -> float:
    """How long ``result``'s exercise position was held: its set of reps, or its longest hold less the
    seconds inside ``rep_spans`` (other exercises' set reps)."""
    if result.spec.mode == "reps":
        return sum(r.end_s - r.start_s for r in set_reps(result))
    return max((h.end_s - h.start_s - _overlap(h.start_s, h.end_s, rep_spans) for h in result.holds), default=0.0)


def rank_exercises(records: list[PoseRecord], specs: list[ExerciseSpec], width: int, height: int) -> Pick:
    """Judge ``records`` with every exercise in ``specs`` and choose the one held longest (ties: file order)."""
    results = []
    for spec in specs:
        session = Session(spec, width, height, keep_frames=False)
        for rec in records:
            session.step(rec.index, rec.t, rec.obs, rec.outline)
        results.append(session.finish())
    held = []
    for res in results:
        others = [(r.start_s, r.end_s) for o in results if o is not res for r in set_reps(o)]
        held.append((res.spec.name, round(max(0.0, held_seconds(res, others)), 2)))
    ranked = tuple(sorted(held, key=lambda h: -h[1]))
    return Pick(ranked[0][0] if ranked and ranked[0][1] > 0 else None, ranked)


def pick_exercise(video: Path, max_side: int = 720, workers: int = 1, progress: bool = True) -> Pick:
    """The bundled exercise ``video`` shows; NoUsableFramesError (exit 3) when no exercise's position is held.
    A stop signal while the pose model runs ends the command (nothing is written yet)."""
    specs = [load_exercise(n) for n in available_exercises()]
    info = open_source(video, max_side=max_side).info
    records: list[PoseRecord] = []
    # Positions and holds are read from the joints alone (the back outline only judges form): no person mask.
    ending = collect_records(info, max_side, workers, False, records, progress)
    if ending.stop is not None:
        raise ending.stop
    if ending.failure is not None:
        raise ending.failure
    pick = rank_exercises(records, specs, info.width, info.height)
    if pick.exercise is None:
        found = sum(r.obs is not None for r in records)
        who = "no person was found" if not found else f"a person was found in {found} of {len(records)} frames"
        raise NoUsableFramesError(f"{video}: --exercise auto: no bundled exercise's position was held ({who}; "
                                  f"checked: {', '.join(n for n, _ in pick.held_s)}) — name the exercise "
                                  "with --exercise NAME, or film the whole body from the side")
    return pick
