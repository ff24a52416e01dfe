"""``report.html``: one page that explains a session to a person or their physical therapist.

Self-contained except for the video: inline CSS, the timelines as inline SVG, the key frames and
the angle plot as base64 images. The annotated video is referenced as ``annotated.mp4`` beside the
page (a base64 copy would make the page as large as the video, several megabytes), so the folder
is what to share. A small script marks the video element with its ``readyState`` once the first
frame is decoded, and shows a hint when the browser cannot play it.

All times are seconds from the start of the source video.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2

from formcheck.exercises.explain import criterion_words
from formcheck.exercises.spec import ExerciseSpec
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.rules import BORDERLINE, FAIL, PASS, UNKNOWN, combine
from formcheck.judge.session import SessionResult
from formcheck.media.outfiles import write_text_atomic
from formcheck.report.key_frames import KeyFrames, counted_faults, criterion_label
from formcheck.report.model import HoldReport, Report, RepReport

# Timeline colours (also what the browser test looks for in the screenshot).
COLORS = {"good": "#2f9e44", "borderline": "#f2c94c", "unseen": "#74c0fc", "faulty": "#e8590c",
          "not_judged": "#adb5bd", "break": "#e9ecef", "rep": "#d0bfff"}
LABELS = {"good": "good form", "borderline": "good form, borderline (within the measurement error)",
          "unseen": "good form as far as seen, tilt not seen (an arm covers the back)",
          "faulty": "faulty", "not_judged": "not judged", "break": "out of position (break)", "rep": "in a rep"}
KEY_FRAME_BORDER = "#7048e8"  # frames the still images so they can be found in a screenshot
EPISODE_GAP_S = 0.5  # fault frames closer than this belong to one episode
MAX_EPISODES = 8
JPEG_QUALITY = 85

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f8f9fa;color:#212529;
 font-size:16px;line-height:1.45}
main{max-width:860px;margin:0 auto;padding:12px}
section{background:#fff;border-radius:8px;padding:12px 14px;margin:12px 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h1{font-size:1.35em;margin:.3em 0}h2{font-size:1.15em;margin:.2em 0 .5em}h3{font-size:1em;margin:.8em 0 .3em}
.meta{color:#495057;margin:.2em 0}.score{font-size:1.6em;font-weight:700}
.bar{background:#e9ecef;border-radius:4px;height:14px;overflow:hidden}.bar>div{height:100%;background:#2f9e44}
svg.timeline{width:100%;height:26px;display:block;border:1px solid #ced4da;background:#fff}
.axis{display:flex;justify-content:space-between;font-size:.8em;color:#495057}
.legend span{display:inline-block;margin-right:12px;font-size:.85em}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px;border:1px solid #ced4da}
.fault{border-left:5px solid #e8590c;padding-left:10px;margin:14px 0}
.cue{font-weight:600}figure{margin:8px 0}
figure img{max-width:100%;max-height:75vh;width:auto;height:auto;border:4px solid #7048e8;display:block}
figcaption{font-size:.85em;color:#495057}
img.plot{max-width:100%;height:auto}video{width:100%;max-height:80vh;background:#000}
table{border-collapse:collapse;width:100%;font-size:.92em}td,th{border-bottom:1px solid #dee2e6;padding:4px;
 text-align:left;vertical-align:top}
.note{color:#495057;font-size:.9em}
"""

VIDEO_SCRIPT = """
(function(){var v=document.getElementById('annotated');if(!v)return;
function mark(){v.setAttribute('data-ready-state',String(v.readyState));}
v.addEventListener('loadeddata',mark);v.addEventListener('canplay',mark);
v.addEventListener('error',function(){v.setAttribute('data-error',String(v.error?v.error.code:'?'));
document.getElementById('video-error').hidden=false;});mark();})();
"""


@dataclass(frozen=True)
class Segment:
    """A run of frames of one timeline category, ``start_s`` to ``end_s``."""

    category: str
    start_s: float
    end_s: float


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _frame_step(frames: Sequence[FrameResult]) -> float:
    """Typical time between frames (seconds), used as the last frame's duration."""
    if len(frames) < 2:
        return 0.0
    return (frames[-1].t - frames[0].t) / (len(frames) - 1)


def hold_category(spec: ExerciseSpec, f: FrameResult) -> str:
    """How a frame inside a hold's span counts: good / borderline (good form, a reading within its
    measured error of a threshold) / faulty / not_judged, or break (out of position)."""
    if f.in_position is not True:
        return "break"
    status = combine({c.id: f.statuses.get(c.id, "not_judged") for c in spec.form})
    if status == UNKNOWN and f.unseen:
        return "unseen"
    return {PASS: "good", BORDERLINE: "borderline", FAIL: "faulty"}.get(status, "not_judged")


def rep_category(f: FrameResult) -> str:
    """How a frame inside a rep counts: at the top with or without a fault, or moving."""
    if f.at_top:
        return "faulty" if f.faults else "good"
    return "rep"


def segments(frames: Sequence[FrameResult], start_s: float, end_s: float,
             category: Callable[[FrameResult], str]) -> list[Segment]:
    """Runs of equal ``category(frame)`` among the frames from ``start_s`` to ``end_s``; each frame
    lasts until the next one (the last one a typical frame step)."""
    step = _frame_step(frames)
    inside = [f for f in frames if start_s <= f.t <= end_s]
    out: list[Segment] = []
    for i, f in enumerate(inside):
        t1 = inside[i + 1].t if i + 1 < len(inside) else min(f.t + step, end_s + step)
        cat = category(f)
        if out and out[-1].category == cat and math.isclose(out[-1].end_s, f.t):
            out[-1] = Segment(cat, out[-1].start_s, t1)
        else:
            out.append(Segment(cat, f.t, t1))
    return out


def fault_episodes(frames: Sequence[FrameResult], code: str) -> list[tuple[float, float]]:
    """(start, end) seconds of each stretch of frames in which ``code`` counts as a fault."""
    step = _frame_step(frames)
    out: list[list[float]] = []
    for f in frames:
        if code not in counted_faults(f):
            continue
        if out and f.t - out[-1][1] <= EPISODE_GAP_S:
            out[-1][1] = f.t + step
        else:
            out.append([f.t, f.t + step])
    return [(a, b) for a, b in out]


def _timeline_svg(segs: list[Segment], start_s: float, end_s: float) -> str:
    span = max(end_s - start_s, 1e-6)
    rects = "".join(
        f'<rect x="{1000 * (s.start_s - start_s) / span:.2f}" y="0" width="{1000 * (s.end_s - s.start_s) / span:.2f}" '
        f'height="26" fill="{COLORS[s.category]}"><title>{_e(LABELS[s.category])} {s.start_s:.1f}-{s.end_s:.1f} s'
        f'</title></rect>' for s in segs if s.category in COLORS)
    return (f'<svg class="timeline" viewBox="0 0 1000 26" preserveAspectRatio="none" shape-rendering="crispEdges" '
            f'role="img" aria-label="timeline">{rects}</svg>'
            f'<div class="axis"><span>{start_s:.1f} s</span><span>{end_s:.1f} s</span></div>')


def _num(x: float, unit: str) -> str:
    if not math.isfinite(x):
        return "not measured"
    return f"{x:.1f}°" if unit == "deg" else f"{x:.2f} {unit}"


def _signed(x: float, unit: str) -> str:
    if not math.isfinite(x):
        return "change not measured"
    return f"{x:+.1f}°" if unit == "deg" else f"{x:+.2f} {unit}"


def _legend(categories: list[str]) -> str:
    return '<div class="legend">' + "".join(
        f'<span><i style="background:{COLORS[c]}"></i>{_e(LABELS[c])}</span>' for c in categories) + "</div>"


def _holds_html(report: Report, result: SessionResult) -> str:
    spec = result.spec
    parts = ["<section><h2>Holds</h2>"]
    for side in spec.report_sides:
        holds = [h for h in report.holds if h.side == side]
        title = f"{side.capitalize()} side" if side != "both" else "Hold"
        parts.append(f"<h3>{_e(title)}</h3>")
        if not holds:
            parts.append(f'<p>No hold found{" on this side" if side != "both" else ""}.</p>')
        for h in holds:
            frac = min(1.0, h.good_form_s / h.target_s) if h.target_s else 0.0
            mark = "target reached" if h.target_reached else "target not reached"
            faults = ", ".join(f"{f.message} {f.seconds:.1f} s" for f in h.faults) or "none"
            close = ", ".join(f"{f.message} {f.seconds:.1f} s" for f in h.borderline)
            borderline = (f" · of the good form, {h.borderline_s:.1f} s borderline ({_e(close)})"
                          if h.borderline_s > 0 else "")
            if h.unseen_s > 0:
                borderline += (f" · {h.unseen_s:.1f} s good as far as seen but the tilt not verified (an arm "
                               "covers the back: rest your hands on the front knee)")
            outcomes = "".join(
                f"<p>{_e(o.label.capitalize())}: median {_num(o.median, o.unit)} over the hold "
                f"(90th percentile {_num(o.p90, o.unit)}), {_signed(o.change, o.unit)} from your neutral "
                f"at the start ({_num(o.neutral, o.unit)}). Measured, not judged.</p>" for o in h.outcomes)
            segs = segments(result.frames, h.start_s, h.end_s, lambda f: hold_category(spec, f))
            parts.append(
                f"<p><b>{h.good_form_s:.1f} s</b> of good form of the {h.target_s:g} s target ({_e(mark)}); "
                f"held {h.start_s:.1f}–{h.end_s:.1f} s.</p>"
                f'<div class="bar" title="good form / target"><div style="width:{100 * frac:.1f}%"></div></div>'
                f"<p class=\"note\">good form {h.good_form_s:.1f} s · faulty {h.faulty_s:.1f} s · not judged "
                f"{h.not_judged_s:.1f} s · breaks {h.break_s:.1f} s · faults: {_e(faults)}{borderline}</p>"
                + outcomes + _timeline_svg(segs, h.start_s, h.end_s))
    shown = ["good", "borderline", *(["unseen"] if spec.needs_outline else []), "faulty", "not_judged", "break"]
    parts.append(_legend(shown) + "</section>")
    return "".join(parts)


def _reps_html(report: Report, result: SessionResult) -> str:
    frames = result.frames
    end = frames[-1].t + _frame_step(frames) if frames else 0.0
    segs = [s for r in result.reps for s in segments(frames, r.start_s, r.end_s, rep_category)]
    rows = "".join(
        f"<tr><td>{i}</td><td>{r.start_s:.1f}–{r.end_s:.1f} s</td><td>{r.top_hold_s:.1f} s of "
        f"{report.target_s:g} s</td><td>{_e(', '.join(f.message for f in r.faults) or 'none')}</td></tr>"
        for i, r in enumerate(report.reps, 1))
    table = ("<table><tr><th>rep</th><th>when</th><th>held at the top</th><th>faults at the top</th></tr>"
             f"{rows}</table>") if rows else "<p>No rep found.</p>"
    return (f"<section><h2>Reps ({len(report.reps)})</h2>{table}<h3>Timeline</h3>"
            f"{_timeline_svg(segs, 0.0, end)}{_legend(['rep', 'good', 'faulty'])}</section>")


def _jpeg_data_uri(img) -> str:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii") if ok else ""


def _faults_html(report: Report, result: SessionResult, key_frames: KeyFrames | None) -> str:
    spec = result.spec
    totals: dict[str, float] = {}
    items: list[HoldReport | RepReport] = [*report.holds, *report.reps]
    for item in items:
        for f in item.faults:
            totals[f.code] = totals.get(f.code, 0.0) + f.seconds
    if not totals:
        return "<section><h2>Faults</h2><p>No fault was counted.</p></section>"
    by_code = spec.criterion_by_code
    parts = ["<section><h2>Faults</h2>"]
    order = list(spec.fault_codes)
    for code in sorted(totals, key=lambda c: order.index(c) if c in order else len(order)):
        c = by_code.get(code)
        eps = fault_episodes(result.frames, code)
        when = ", ".join(f"{a:.1f}–{b:.1f} s" for a, b in eps[:MAX_EPISODES])
        if len(eps) > MAX_EPISODES:
            when += f" and {len(eps) - MAX_EPISODES} more"
        parts.append(f'<div class="fault" id="fault-{_e(code)}"><h3>{_e(c.message if c else code)} '
                     f'<small>({_e(code)})</small></h3>'
                     f"<p>{totals[code]:.1f} s in total{'; when: ' + _e(when) if when else ''}.</p>")
        if c:
            parts.append(f'<p class="cue">Cue: “{_e(c.cue)}”</p><p class="note">Passes when '
                         f"{_e(criterion_words(c))}.{' ' + _e(c.why) if c.why else ''}</p>")
        img = key_frames.render(code) if key_frames is not None else None
        if img is not None and key_frames is not None:
            kf = key_frames.best[code]
            r = kf.result
            side = f" ({r.side} side)" if r.side else ""
            label = criterion_label(kf.criterion, r)  # a relative check's label says "from your neutral"
            parts.append(f'<figure><img class="key-frame" alt="{_e(code)} at its worst, {r.t:.1f} s" '
                         f'src="{_jpeg_data_uri(img)}"><figcaption>Worst at {r.t:.1f} s{_e(side)}: {_e(label)}'
                         "</figcaption></figure>")
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def _not_judged_html(report: Report, spec: ExerciseSpec) -> str:
    crits = {c.id: c for c in (*spec.position, *spec.form)}
    rows = "".join(
        f"<tr><td>{_e(getattr(crits.get(nj.criterion), 'message', '') or nj.criterion)}"
        f" <small>({_e(nj.criterion)})</small></td><td>{nj.seconds:.1f} s</td><td>{_e(nj.reason)}</td></tr>"
        for nj in report.not_judged)
    body = ("<table><tr><th>check</th><th>for</th><th>why</th></tr>" + rows + "</table>") if rows else \
        "<p>Every check could be judged while in position.</p>"
    notes = "".join(f"<li>{_e(n)}</li>" for n in report.notes)
    return (f"<section><h2>What could not be judged</h2>{body}"
            f"{'<h3>Notes</h3><ul>' + notes + '</ul>' if notes else ''}"
            '<p class="note">A check whose landmarks are hidden or out of frame is not judged, never guessed; '
            "those seconds do not count as good form.</p></section>")


def render_html_report(report: Report, result: SessionResult, out_dir: Path, key_frames: KeyFrames | None = None,
                       when: datetime | None = None) -> str:
    """The page as a string. Reads ``angles.png`` from ``out_dir`` and links ``annotated.mp4`` when present."""
    spec = result.spec
    when = when or datetime.now()
    who = f"{report.person} — " if report.person else ""
    title = f"{who}{report.exercise_title} — {when:%Y-%m-%d}"
    person = f'<p class="person" id="person">{_e(report.person)}</p>' if report.person else ""
    head = (f"<section><h1>{_e(report.exercise_title)}</h1>{person}"
            f'<p class="meta">{when:%Y-%m-%d %H:%M} · {_e(Path(report.source).name)} · '
            f"{report.duration_s:.1f} s · person found in {report.detection_rate:.0%} of frames</p>"
            f'<p><span class="score">{report.score:.0f}/100</span></p>'
            f'<p class="note">{_e(report.score_method)}</p></section>')
    body = _holds_html(report, result) if spec.mode == "hold" else _reps_html(report, result)
    body += _faults_html(report, result, key_frames)
    if (out_dir / "annotated.mp4").exists():
        body += ('<section><h2>Annotated video</h2><video id="annotated" src="annotated.mp4" controls playsinline '
                 'muted preload="auto"></video><p id="video-error" class="note" hidden>This browser cannot play the '
                 "video: open annotated.mp4 (beside this page) in a video player.</p></section>")
    plot = out_dir / "angles.png"
    if plot.exists():
        uri = "data:image/png;base64," + base64.b64encode(plot.read_bytes()).decode("ascii")
        body += (f'<section><h2>Angles over time</h2><img class="plot" alt="angles over time" src="{uri}">'
                 "</section>")
    body += _not_judged_html(report, spec)
    body += ('<p class="note">Form feedback, not a diagnosis: stretch after the acute phase, stop on sharp pain. '
             f"formcheck {_e(report.formcheck_version)}.</p>")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
            f"<style>{CSS}</style></head><body><main>{head}{body}</main><script>{VIDEO_SCRIPT}</script>"
            "</body></html>\n")


def write_html_report(report: Report, result: SessionResult, out_dir: Path, key_frames: KeyFrames | None = None,
                      when: datetime | None = None) -> Path:
    """Write ``out_dir/report.html``; return its path."""
    path = out_dir / "report.html"
    write_text_atomic(path, render_html_report(report, result, out_dir, key_frames, when))
    return path
