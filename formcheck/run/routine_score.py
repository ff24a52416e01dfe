"""``formcheck score VIDEO --routine NAME``: one recording of a whole routine, split into its steps.

Pose runs once over the whole video. The same pose records are then judged by one session per
exercise of the routine, which says in which frames each exercise's position holds (and on which
side) and where its reps are; the frames are split into the steps, in routine order, by where each
step's activity is seen — its position held (holds) or its reps (reps) —
(:func:`formcheck.judge.segments.split_in_order`). Each step's part is then judged again by a fresh
session of its own exercise, as if that part had been scored alone, into its own folder
(``NN-exercise[-side]/``: report.json, report.html, frames.csv, angles.png), and ``routine.json`` /
``routine.html`` sum the steps up. No annotated video is written. A stop (Ctrl-C, SIGTERM, SIGHUP) or a
pose process that dies keeps what was analysed: the routine report covers it, with a note.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.errors import FormcheckError, NoUsableFramesError
from formcheck.exercises.spec import ExerciseSpec
from formcheck.judge.segments import split_in_order
from formcheck.judge.session import Session
from formcheck.judge.sides import Side
from formcheck.media.frame import SourceInfo
from formcheck.media.procs import held_stop, stop_words
from formcheck.media.sources import open_source
from formcheck.pose.analyse import PoseRecord
from formcheck.report.outputs import make_out_dir, write_session_outputs
from formcheck.report.routine_report import (
    RoutineReport,
    StepReport,
    routine_report,
    step_line,
    step_report,
    write_routine_report,
)
from formcheck.routines.spec import RoutineSpec, RoutineStep, load_routine
from formcheck.run.auto_exercise import set_reps
from formcheck.run.pose_once import collect_records


@dataclass
class RoutineOutcome:
    """What scoring a routine produced: the report (None when nothing was analysed), a printable
    summary, and the error to exit with after the report was written."""

    report: RoutineReport | None
    out_dir: Path
    summary: str
    error: FormcheckError | None = None


def step_evidence(step: RoutineStep, track: Track) -> np.ndarray:
    """Frames showing ``step``'s activity: inside one of its exercise's set reps (reps), or its exercise in
    position (holds) and, for a step on one side, that side stretched."""
    shown = track.in_rep if step.exercise.mode == "reps" else track.in_position
    return shown & (track.side == step.side) if step.side != "both" else shown


@dataclass(frozen=True)
class Track:
    """One exercise judged over a whole recording, per frame: in position, the detected stretched side
    ("" when none), inside one of its set reps (see :func:`formcheck.run.auto_exercise.set_reps`)."""

    in_position: np.ndarray
    side: np.ndarray
    in_rep: np.ndarray


def exercise_tracks(records: list[PoseRecord], exercises: tuple[ExerciseSpec, ...], width: int,
                    height: int) -> dict[str, Track]:
    """Each exercise's :class:`Track` over ``records``, by exercise name."""
    out = {}
    t = np.array([rec.t for rec in records])
    for spec in exercises:
        session = Session(spec, width, height, keep_frames=False)
        pos, side = [], []
        for rec in records:
            r = session.step(rec.index, rec.t, rec.obs, rec.outline)
            pos.append(r.in_position is True)
            side.append(r.side or "")
        in_rep = np.zeros(len(records), dtype=bool)
        for rep in set_reps(session.finish()):
            in_rep |= (t >= rep.start_s) & (t <= rep.end_s)
        out[spec.name] = Track(np.array(pos, dtype=bool), np.array(side, dtype=object), in_rep)
    return out


def split_steps(spec: RoutineSpec, records: list[PoseRecord], width: int, height: int) -> list[tuple[int, int]]:
    """Record index spans ``[start, stop)`` of each step, in routine order, by where each step's activity
    is seen. Activity seen in fewer frames weighs more per frame, so a frame showing two steps' activity
    goes to the more specific one (bridge reps are also frames lying with the knees bent and the hips
    up, which is the supported bridge's position)."""
    tracks = exercise_tracks(records, spec.exercises, width, height)
    evidence = [step_evidence(s, tracks[s.exercise.name]) for s in spec.steps]
    return split_in_order(evidence, [1.0 / max(1, int(e.sum())) for e in evidence])


def step_folder(i: int, step: RoutineStep) -> str:
    """E.g. '01-kneeling-hip-flexor-left'."""
    return f"{i:02d}-{step.exercise.name}" + ("" if step.side == "both" else f"-{step.side}")


def run_routine_score(video: Path, routine: str, out_dir: Path, max_side: int = 720, progress: bool = True,
                      workers: int = 1) -> RoutineOutcome:
    """Score ``video`` as one recording of ``routine``; write each step's report and the routine's."""
    spec = load_routine(routine)  # a bad routine fails before any slow work
    source = open_source(video, max_side=max_side)
    info = source.info
    make_out_dir(out_dir)
    t0 = time.monotonic()
    records: list[PoseRecord] = []
    ending = collect_records(info, max_side, workers, any(e.needs_outline for e in spec.exercises), records,
                             progress)
    notes = list(dict.fromkeys(info.decode_errors))
    if ending.stop is not None:
        notes.append(f"{stop_words(ending.stop)} after {len(records)} frames; the rest was not scored")
    if ending.failure is not None:
        notes.append(f"scoring stopped after {len(records)} frames ({ending.failure}); the rest was not scored")
    if not records:
        if ending.stop is not None:
            return RoutineOutcome(None, out_dir, "", ending.stop_error("no frame was scored yet, nothing written"))
        raise ending.failure or NoUsableFramesError(f"{video}: no frames could be decoded — the file is empty, "
                                                    "truncated at the start, or not a video")
    with held_stop():  # judging the analysed frames takes seconds: a stop waits until the report is written
        report = _judge_steps(spec, records, info, out_dir, time.monotonic() - t0, notes)
    summary = "\n".join([f"{spec.title} — {info.path}",
                         *(f"  {step_line(s)}" for s in report.steps),
                         f"  routine completion {report.completion:.0%} ({report.steps_done} of {len(report.steps)} "
                         "steps reached their target)",
                         *(f"  note: {n}" for n in report.notes),
                         f"  wrote {out_dir}/routine.html, routine.json and one folder per step"])
    error: FormcheckError | None = None
    if not any(r.obs is not None for r in records):
        error = NoUsableFramesError(f"{info.path}: no person found in any of {len(records)} frames — film the "
                                    f"whole body from the side (report written to {out_dir})")
    elif ending.stop is not None:
        error = ending.stop_error(f"partial report written to {out_dir}")
    elif ending.failure is not None:
        error = FormcheckError(f"{ending.failure} — partial report written to {out_dir}",
                               exit_code=ending.failure.exit_code)
    return RoutineOutcome(report, out_dir, summary, error)


def _judge_steps(spec: RoutineSpec, records: list[PoseRecord], info: SourceInfo, out_dir: Path, elapsed_s: float,
                 notes: list[str]) -> RoutineReport:
    """Split the records into steps, judge each step's part alone and write every report."""
    spans = split_steps(spec, records, info.width, info.height)
    steps: list[StepReport] = []
    frame_s = 1.0 / info.fps if info.fps > 0 else 0.0
    for i, (step, (a, b)) in enumerate(zip(spec.steps, spans, strict=True), 1):
        folder = step_folder(i, step)
        side: Side | None = "left" if step.side == "left" else ("right" if step.side == "right" else None)
        session = Session(step.exercise, info.width, info.height, side_override=side)
        for rec in records[a:b]:
            session.step(rec.index, rec.t, rec.obs, rec.outline)
        if session.n_frames:
            step_dir = out_dir / folder
            step_dir.mkdir(exist_ok=True)
            report = write_session_outputs(session.finish(), info, elapsed_s, step_dir)
            steps.append(step_report(i, step, report, (records[a].t, records[b - 1].t + frame_s), folder))
        else:
            notes.append(f"step {i} ({step.label}): its position was never seen — not done")
            steps.append(StepReport(i, step.exercise.name, step.side, step.label, step.target_s, step.target_reps,
                                    np.nan, np.nan, np.nan, np.nan, 0.0, 0.0, False, 0.0, folder))
    duration = records[-1].t + frame_s - records[0].t
    done = routine_report(spec, info.path, duration, steps, notes)
    write_routine_report(done, spec, out_dir)
    return done
