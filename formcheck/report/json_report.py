"""Session results -> ``report.json`` (versioned schema) and ``frames.csv`` (one row per frame).

The report is typed data (:mod:`formcheck.report.model`) until written; the JSON schema is
``formcheck/report/report_schema.json``, documented in ``docs/report.md``.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

from formcheck import __version__
from formcheck.exercises.signal_registry import signal_units
from formcheck.exercises.spec import ExerciseSpec
from formcheck.judge.holds import RepRecord
from formcheck.judge.outcomes import hold_outcome
from formcheck.judge.session import SessionResult
from formcheck.media.frame import SourceInfo
from formcheck.media.outfiles import atomic_output, write_text_atomic
from formcheck.report.model import (
    FaultTime,
    HoldNotJudged,
    HoldOutcome,
    HoldReport,
    NotJudgedTotal,
    Report,
    RepReport,
)

SCHEMA_VERSION = "1.1"
SCHEMA_PATH = Path(__file__).resolve().parent / "report_schema.json"


@dataclass(frozen=True)
class Score:
    """The session's 0-100 score and a sentence saying how it was computed."""

    value: float
    method: str


def _r(x: float, nd: int = 2) -> float:
    return round(float(x), nd)


def _faults(spec: ExerciseSpec, fault_s: dict[str, float]) -> tuple[FaultTime, ...]:
    messages = {code: c.message for code, c in spec.criterion_by_code.items()}
    order = list(messages)
    return tuple(FaultTime(code, messages.get(code, code), _r(s))
                 for code, s in sorted(fault_s.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))


def _outcomes(result: SessionResult, start_s: float, end_s: float) -> tuple[HoldOutcome, ...]:
    spec = result.spec
    out = []
    for o in spec.outcomes:
        f = hold_outcome(result.frames, start_s, end_s, o.signal, spec.timing)
        out.append(HoldOutcome(o.signal, o.label, signal_units(o.signal), _r(f.median), _r(f.p90), _r(f.neutral),
                               _r(f.change)))
    return tuple(out)


def rep_fault_codes(rep: RepRecord) -> tuple[str, ...]:
    """A rep's faults: those held long enough at the top, or, if it never paused at the top,
    those present at its highest point."""
    return tuple(rep.fault_s) if rep.top_hold_s > 0 else rep.peak_faults


def score_session(result: SessionResult) -> Score:
    """Score 0-100. Holds: per required side, best hold's good-form seconds / target (capped at 1),
    averaged over sides. Reps: per rep, half for no fault at the top plus half for the seconds held
    at the top / target (capped at 1), averaged over reps; 0 with no reps."""
    spec = result.spec
    if spec.mode == "reps":
        if not result.reps:
            return Score(0.0, "reps: no rep detected, score 0")
        parts = []
        for rep in result.reps:
            clean = 0.0 if rep_fault_codes(rep) else 1.0
            parts.append(0.5 * clean + 0.5 * min(1.0, rep.top_hold_s / spec.target_s))
        return Score(_r(100 * sum(parts) / len(parts), 1),
                     f"reps: mean over {len(parts)} reps of 50% for no fault at the top + 50% for "
                     f"min(1, seconds held at the top / {spec.target_s:g} s)")
    per = []
    for side in spec.report_sides:
        best = max((h.good_form_s for h in result.holds if h.side == side), default=0.0)
        per.append(min(1.0, best / spec.target_s))
    detail = " and ".join(spec.report_sides)
    unseen = sum(h.unseen_s for h in result.holds)
    unverified = (f"; {unseen:.1f} s that looked good but with the back outline covered by an arm (tilt not "
                  "verified) are not counted") if unseen >= 0.05 else ""
    return Score(_r(100 * sum(per) / len(per), 1),
                 f"holds: for each side ({detail}) the best hold's good-form seconds / {spec.target_s:g} s "
                 f"target, capped at 1, averaged over sides, x 100{unverified}")


def build_report(result: SessionResult, info: SourceInfo, elapsed_s: float | None = None,
                 person: str | None = None) -> Report:
    """The report of a finished session (written as ``report.json`` by :func:`write_report_json`) of
    ``person`` (None: not named)."""
    spec = result.spec
    n_frames, n_found = result.n_frames, result.n_found
    frames = result.frames
    analysed_fps: float | None = None
    if frames:
        ts = [f.t for f in frames]
        step = (ts[-1] - ts[0]) / max(len(ts) - 1, 1) if len(ts) > 1 else (1 / info.fps if info.fps else 0)
        duration = ts[-1] - ts[0] + step
        analysed_fps = 1 / step if step > 0 else None
    else:
        duration = 0.0
    holds = []
    not_judged_total: dict[tuple[str, str], float] = {}
    for h in result.holds:
        nj = []
        for cid, reasons in h.not_judged_reasons.items():
            for reason, s in reasons.items():
                nj.append(HoldNotJudged(cid, reason, _r(s)))
                not_judged_total[(cid, reason)] = not_judged_total.get((cid, reason), 0.0) + s
        holds.append(HoldReport(
            side=h.side, start_s=_r(h.start_s), end_s=_r(h.end_s), duration_s=_r(h.end_s - h.start_s),
            good_form_s=_r(h.good_form_s), faulty_s=_r(h.faulty_s), not_judged_s=_r(h.not_judged_s),
            break_s=_r(h.break_s), target_s=spec.target_s, target_reached=h.good_form_s >= spec.target_s,
            faults=_faults(spec, h.fault_s), not_judged=tuple(nj), borderline_s=_r(h.borderline_s),
            borderline=_faults(spec, h.borderline_code_s), unseen_s=_r(h.unseen_s),
            outcomes=_outcomes(result, h.start_s, h.end_s)))
    reps = []
    for r in result.reps:
        fault_s = {c: r.fault_s.get(c, 0.0) for c in rep_fault_codes(r)}
        reps.append(RepReport(side=r.side, start_s=_r(r.start_s), end_s=_r(r.end_s), top_hold_s=_r(r.top_hold_s),
                              complete=r.complete, faults=_faults(spec, fault_s)))
    score = score_session(result)
    codes = {c.id: c.code for c in spec.form}
    not_judged = tuple(NotJudgedTotal(cid, codes.get(cid, ""), reason, _r(s))
                       for (cid, reason), s in sorted(not_judged_total.items(), key=lambda kv: -kv[1]))
    notes = list(info.notes) + list(info.decode_errors) + list(result.notes)
    rate = n_found / n_frames if n_frames else 0.0
    if n_frames and rate < 0.5:
        notes.append(f"a person was found in only {rate:.0%} of frames: check the framing (whole body, side view)")
    return Report(
        schema_version=SCHEMA_VERSION, formcheck_version=__version__, exercise=spec.name,
        exercise_title=spec.title, source=info.path, fps=_r(info.fps, 3), width=info.width, height=info.height,
        duration_s=_r(duration), frames=n_frames, frames_with_pose=n_found, detection_rate=_r(rate, 4),
        side_override=result.side_override, target_s=spec.target_s, holds=tuple(holds), reps=tuple(reps),
        score=score.value, score_method=score.method, not_judged=not_judged, notes=tuple(notes),
        processing_s=_r(elapsed_s) if elapsed_s is not None else None,
        analysis_rate_hz=info.analysis_rate_hz, analysed_fps=_r(analysed_fps, 3) if analysed_fps is not None else None,
        person=person)


def write_report_json(report: Report, path: Path) -> None:
    """Write the report with stable key order and no NaN (JSON has none)."""
    write_text_atomic(path, json.dumps(report.to_json(), indent=2) + "\n")


def frames_csv_columns(spec: ExerciseSpec) -> list[str]:
    """Column names of frames.csv for an exercise."""
    crit = [c.id for c in (*spec.position, *spec.form)]
    return (["frame", "t_s", "pose_found", "in_position", "side", "facing", "in_hold", "hold_good_s",
             "at_top", "reps_done", "cue_code", "faults"]
            + list(spec.signals) + [f"crit_{c}" for c in crit])


def write_frames_csv(result: SessionResult, path: Path) -> None:
    """One row per frame: timestamp, pose found, the signals, each criterion's status."""
    spec = result.spec
    cols = frames_csv_columns(spec)
    crit = [c.id for c in (*spec.position, *spec.form)]
    with atomic_output(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for f in result.frames:
            row = [f.index, f"{f.t:.4f}", int(f.found),
                   "" if f.in_position is None else int(f.in_position), f.side or "", f.facing,
                   int(f.in_hold), f"{f.hold_good_s:.2f}", int(f.at_top), f.reps_done, f.cue_code,
                   ";".join(f.faults)]
            row += ["" if not math.isfinite(f.values.get(s, math.nan)) else f"{f.values[s]:.4f}"
                    for s in spec.signals]
            row += [f.statuses.get(c, "not_judged") for c in crit]
            w.writerow(row)
