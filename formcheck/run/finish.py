"""One way to end a session, for ``score`` and ``live`` alike: write every output file for what was
judged (however the run ended), then say with which error the command exits afterwards."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from formcheck.errors import FormcheckError, NoUsableFramesError, SourceLostError
from formcheck.judge.session import SessionResult
from formcheck.media.frame import SourceInfo
from formcheck.media.procs import stop_exit_code, stop_words
from formcheck.report.key_frames import KeyFrames
from formcheck.report.model import Report
from formcheck.report.outputs import write_session_outputs


@dataclass
class LiveStats:
    """Per-displayed-frame timing of a live session, for the live benchmark. Seconds on the monotonic clock."""

    captured: int = 0
    dropped: int = 0
    displayed: int = 0
    analysed: int = 0  # frames the pose model analysed
    first_display: float = math.nan
    last_display: float = math.nan
    latencies_s: list[float] = field(default_factory=list)  # frame available -> its cue shown

    @property
    def displayed_fps(self) -> float:
        """Displayed frames per second over the displayed span."""
        span = self.last_display - self.first_display
        return (self.displayed - 1) / span if self.displayed > 1 and span > 0 else 0.0

    def latency_percentile(self, q: float) -> float:
        """The ``q``-th percentile (0-100) of capture-to-display latency, in milliseconds."""
        return float(np.percentile(self.latencies_s, q) * 1000) if self.latencies_s else math.nan


@dataclass
class SessionOutcome:
    """What a scored or live session produced: the report (None when nothing was judged), where its
    files are, a printable summary, the error to exit with *after* the report was written, the
    finished session behind the report, (live only) display timing, and whether the run stopped
    before the end of its video (interrupted, or an error), so the report covers only part of it."""

    report: Report | None
    out_dir: Path
    summary: str
    error: FormcheckError | None = None
    result: SessionResult | None = None
    stats: LiveStats | None = None
    partial: bool = False


@dataclass(frozen=True)
class Ending:
    """How the run over the frames ended. ``stop``: the Ctrl-C or stop signal that ended it (see
    :mod:`formcheck.media.procs`); ``failure``: scoring stopped by an error (a pose process died, ...);
    ``lost``: why the live source stopped sending frames."""

    stop: KeyboardInterrupt | None = None
    failure: FormcheckError | None = None
    lost: str | None = None

    def stop_error(self, what: str) -> FormcheckError:
        """The error to exit with after a stop: says how it was stopped and ``what`` happened, exit 128 + signal."""
        assert self.stop is not None
        return FormcheckError(f"{stop_words(self.stop)} — {what}", exit_code=stop_exit_code(self.stop))


def finish_session(result: SessionResult, info: SourceInfo, out_dir: Path, elapsed_s: float, ending: Ending,
                   nothing_judged: FormcheckError, key_frames: KeyFrames | None = None, mot: bool = False,
                   stats: LiveStats | None = None, require_person: bool = True, what: str = "partial report",
                   partial: bool = False, person: str | None = None) -> SessionOutcome:
    """Write the session's files into ``out_dir`` and choose the exit error.

    With no frame judged, nothing is written (no annotated video is kept either) and the error is
    the stop (Ctrl-C or a signal: exit 128 + its number), else ``ending.failure``, else
    ``nothing_judged``. Otherwise the error is, in this order: no person in any frame (exit 3, when
    ``require_person``), the source lost (6), the stop (130, 143, 129), the failure's code. ``what``
    names the written report in those messages; ``partial`` is passed on to the outcome; the report
    names ``person`` when given.
    """
    if result.n_frames == 0:
        first = ending.stop_error("no frame was scored yet, nothing written") if ending.stop is not None else None
        return SessionOutcome(None, out_dir, "", first or ending.failure or nothing_judged, None, stats, partial)
    report = write_session_outputs(result, info, elapsed_s, out_dir, key_frames=key_frames, mot=mot, person=person)
    error: FormcheckError | None = None
    if require_person and result.n_found == 0:
        error = NoUsableFramesError(f"{info.path}: no person found in any of {result.n_frames} frames — film the "
                                    f"whole body from the side (report written to {out_dir})")
    elif ending.lost is not None:
        error = SourceLostError(f"{ending.lost} — {what} written to {out_dir}")
    elif ending.stop is not None:
        error = ending.stop_error(f"{what} written to {out_dir}")
    elif ending.failure is not None:
        error = FormcheckError(f"{ending.failure} — {what} written to {out_dir}",
                               exit_code=ending.failure.exit_code)
    return SessionOutcome(report, out_dir, summarize(report, out_dir), error, result, stats, partial)


def _rate_text(report: Report) -> str:
    """How often frames were analysed, for the summary: ' analysed at 15.0/s (--rate 15)' or ''."""
    if report.analysed_fps is None:
        return ""
    asked = "full" if report.analysis_rate_hz is None else f"{report.analysis_rate_hz:g}"
    return f" analysed at {report.analysed_fps:.1f}/s (--rate {asked})"


def summarize(report: Report, out_dir: Path) -> str:
    """A short human summary of a report."""
    lines = [f"{report.exercise_title} — {report.source}",
             f"  {report.duration_s:.1f} s, {report.frames} frames{_rate_text(report)}, person found in "
             f"{report.detection_rate:.0%}"]
    for h in report.holds:
        faults = ", ".join(f"{f.code} {f.seconds:.0f}s" for f in h.faults) or "none"
        mark = "target reached" if h.target_reached else f"target {h.target_s:g} s not reached"
        lines.append(f"  hold ({h.side}): {h.start_s:.1f}-{h.end_s:.1f} s, good form {h.good_form_s:.1f} s"
                     f" ({mark}); faults: {faults}")
        if h.borderline_s > 0:
            close = ", ".join(f"{f.code} {f.seconds:.0f}s" for f in h.borderline)
            lines.append(f"    of the good form {h.borderline_s:.1f} s borderline (within the measured error): {close}")
        if h.unseen_s > 0:
            lines.append(f"    {h.unseen_s:.1f} s good as far as seen, tilt not verified (an arm covers the back)")
        for o in h.outcomes:
            if math.isfinite(o.median):
                unit = " deg" if o.unit == "deg" else f" {o.unit}"
                change = f", {o.change:+.1f}{unit} from your neutral" if math.isfinite(o.change) else ""
                lines.append(f"    {o.label}: {o.median:.1f}{unit} (median){change}")
    for i, r in enumerate(report.reps, 1):
        faults = ", ".join(f.code for f in r.faults) or "none"
        lines.append(f"  rep {i}: {r.start_s:.1f}-{r.end_s:.1f} s, held at top {r.top_hold_s:.1f} s; "
                     f"faults: {faults}")
    if not report.holds and not report.reps:
        lines.append("  no hold or rep found")
    for nj in report.not_judged[:3]:
        lines.append(f"  not judged: {nj.criterion} for {nj.seconds:.1f} s — {nj.reason}")
    for note in report.notes:
        lines.append(f"  note: {note}")
    lines.append(f"  score {report.score:.0f}/100 ({report.score_method})")
    extra = [n for n in ("annotated.mp4", "angles.mot") if (out_dir / n).exists()]
    lines.append(f"  wrote {out_dir}/report.html, report.json, frames.csv, angles.png"
                 + "".join(f", {n}" for n in extra))
    return "\n".join(lines)
