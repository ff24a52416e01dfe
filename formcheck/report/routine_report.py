"""The report of a whole routine scored from one recording: ``routine.json`` and ``routine.html``, one
section per step (when it was done, its own report's figures, against the step's target) and the
routine's completion. Each step's full report (report.json, report.html, ...) is in its own folder."""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from formcheck import __version__
from formcheck.media.outfiles import write_text_atomic
from formcheck.report.model import Report, _plain
from formcheck.routines.explain import plan_words, target_words
from formcheck.routines.spec import RoutineSpec, RoutineStep

ROUTINE_SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class StepReport:
    """One step. ``span_*``: the part of the recording assigned to the step (seconds); ``active_*``:
    its first hold or rep start to its last hold end or complete rep end (NaN when none); ``achieved``:
    the best good-form seconds on the step's side (holds) or the complete reps (reps), ``completion``
    that against the target, at most 1; ``folder``: the step's own report, relative to the routine's."""

    step: int
    exercise: str
    side: str
    label: str
    target_s: float | None
    target_reps: int | None
    span_start_s: float
    span_end_s: float
    active_start_s: float
    active_end_s: float
    achieved: float
    completion: float
    done: bool
    score: float
    folder: str


@dataclass(frozen=True)
class RoutineReport:
    """Everything ``routine.json`` says: the routine, the recording, each step, and the completion
    (mean of the steps' completions, 0-1)."""

    schema_version: str
    formcheck_version: str
    routine: str
    routine_title: str
    plan: str
    source: str
    duration_s: float
    steps: tuple[StepReport, ...]
    steps_done: int
    completion: float
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``routine.json`` (NaN written as null)."""
        return _plain(asdict(self))


def step_report(i: int, step: RoutineStep, report: Report, span: tuple[float, float], folder: str) -> StepReport:
    """Figures of step ``i`` (from 1) from its own session ``report`` over the seconds ``span``."""
    if step.target_reps is not None:
        reps = [r for r in report.reps if r.complete]
        achieved = float(len(reps))
        starts, ends = [r.start_s for r in reps], [r.end_s for r in reps]
        target = float(step.target_reps)
    else:
        holds = [h for h in report.holds if step.side in ("both", h.side)]
        achieved = max((h.good_form_s for h in holds), default=0.0)
        starts, ends = [h.start_s for h in holds], [h.end_s for h in holds]
        target = float(step.target_s or 0.0)
    completion = min(1.0, achieved / target) if target > 0 else 0.0
    return StepReport(i, step.exercise.name, step.side, step.label, step.target_s, step.target_reps,
                      round(span[0], 3), round(span[1], 3), round(min(starts, default=math.nan), 3),
                      round(max(ends, default=math.nan), 3), round(achieved, 2), round(completion, 3),
                      completion >= 1.0, report.score, folder)


def routine_report(spec: RoutineSpec, source: str, duration_s: float, steps: list[StepReport],
                   notes: list[str]) -> RoutineReport:
    """The routine's report from its steps' reports."""
    completion = sum(s.completion for s in steps) / len(steps) if steps else 0.0
    return RoutineReport(ROUTINE_SCHEMA_VERSION, __version__, spec.name, spec.title, plan_words(spec.plan), source,
                         round(duration_s, 3), tuple(steps), sum(s.done for s in steps), round(completion, 3),
                         tuple(notes))


def write_routine_report(report: RoutineReport, spec: RoutineSpec, out_dir: Path) -> None:
    """Write ``routine.json`` and ``routine.html`` into ``out_dir`` (each whole or absent)."""
    write_text_atomic(out_dir / "routine.json", json.dumps(report.to_json(), indent=2) + "\n")
    write_text_atomic(out_dir / "routine.html", render_routine_html(report, spec))


def _secs(a: float, b: float) -> str:
    return "not found" if not (math.isfinite(a) and math.isfinite(b)) else f"{a:.1f}–{b:.1f} s"


def step_line(s: StepReport) -> str:
    """One line per step for the terminal and the page."""
    got = f"{s.achieved:g} reps" if s.target_reps is not None else f"{s.achieved:.1f} s good form"
    goal = f"{s.target_reps} reps" if s.target_reps is not None else f"{s.target_s:g} s"
    mark = "done" if s.done else f"{s.completion:.0%}"
    return (f"step {s.step} {s.label}: {got} of {goal} ({mark}); done {_secs(s.active_start_s, s.active_end_s)} "
            f"in the part {s.span_start_s:.1f}–{s.span_end_s:.1f} s; score {s.score:.0f}")


def render_routine_html(report: RoutineReport, spec: RoutineSpec) -> str:
    """A self-contained page: the routine, its completion and one section per step linking to its report."""
    e = html.escape
    sections = []
    for s, step in zip(report.steps, spec.steps, strict=True):
        sections.append(
            f"<section><h2>{s.step}. {e(step.exercise.title)}{'' if s.side == 'both' else ' — ' + e(s.side)}</h2>"
            f"<p>Target: {e(target_words(step))}. {e(step_line(s))}.</p>"
            f"<meter min='0' max='1' value='{s.completion}'></meter> {s.completion:.0%}"
            f"<p><a href='{e(s.folder)}/report.html'>Full report of this step</a></p></section>")
    notes = "".join(f"<li>{e(n)}</li>" for n in report.notes)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{e(report.routine_title)}</title>"
        "<style>body{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em}"
        "section{border-top:1px solid #ccc;margin-top:1em}meter{width:60%}</style></head><body>"
        f"<h1>{e(report.routine_title)}</h1><p>{e(report.source)} — {report.duration_s:.1f} s. "
        f"Plan: {e(report.plan)}.</p>"
        f"<p><strong>Routine completion {report.completion:.0%}</strong>: {report.steps_done} of "
        f"{len(report.steps)} steps reached their target.</p>"
        + "".join(sections)
        + (f"<h2>Notes</h2><ul>{notes}</ul>" if notes else "")
        + f"<p><small>{e(spec.notes)}</small></p></body></html>\n")
