"""``formcheck live``: coach a stretch from a webcam (or a video played as one), frame by frame.

Capture runs in its own thread and the loop always judges the newest frame (stale ones are
dropped), timed by capture timestamps. Each frame goes through the same :class:`Session` as
``score``; :class:`LiveCoach` adds the set-up phase, side switches and sound events. Whatever
ends the session — the q key, Ctrl-C, the end of the file, a camera that disappears — the same
files as ``score`` are written for what was judged.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from formcheck.errors import FormcheckError, InputError, NoUsableFramesError, SourceLostError
from formcheck.exercises import load_exercise
from formcheck.exercises.spec import ExerciseSpec
from formcheck.judge.frame_log import FrameLog
from formcheck.judge.session import Session, SessionResult
from formcheck.judge.setup_check import check_setup
from formcheck.media.capture import FrameGrabber, open_live_input
from formcheck.media.video_out import DEFAULT_FPS, KeepGoingWriter, open_video_writer
from formcheck.pose.analyse import observe
from formcheck.pose.base import PoseEstimator
from formcheck.report.key_frames import KeyFrames
from formcheck.report.outputs import make_out_dir, write_session_outputs
from formcheck.report.overlay import draw_banner, draw_frame, draw_setup
from formcheck.run.coach import SETUP, LiveCoach
from formcheck.run.sound import SoundOut

WINDOW_TITLE = "formcheck live"
SUMMARY_SHOW_S = 3.0     # how long the window shows the summary at the end
KEYS_HELP = "keys: q quit, space pause, r reset, s switch side"


@dataclass
class LiveStats:
    """Per-displayed-frame timing, for the live benchmark. Seconds on the monotonic clock."""

    captured: int = 0
    dropped: int = 0
    displayed: int = 0
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
class LiveOutcome:
    """What a live session produced; ``error`` is raised by the CLI after the report was written."""

    report: dict | None
    out_dir: Path
    stats: LiveStats
    summary: str
    error: FormcheckError | None = None
    result: SessionResult | None = None


def display_available() -> bool:
    """True when a window can be opened: an X display that accepts a connection (Linux), or another OS."""
    if not sys.platform.startswith("linux"):
        return True
    display = os.environ.get("DISPLAY")
    if not display:
        return bool(os.environ.get("WAYLAND_DISPLAY"))
    try:
        import ctypes
        import ctypes.util

        xlib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    except OSError:
        return True  # cannot check; let the window library try
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    handle = xlib.XOpenDisplay(display.encode())
    if not handle:
        return False
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay(handle)
    return True


class _Window:
    """An OpenCV window showing frames; ``poll()`` returns the key pressed (or '')."""

    def __init__(self, title: str) -> None:
        import cv2

        self._cv2 = cv2
        self.title = title
        cv2.namedWindow(title, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)

    def show(self, img: np.ndarray) -> None:
        self._cv2.imshow(self.title, img)

    def poll(self, wait_ms: int = 1) -> str:
        k = self._cv2.waitKey(wait_ms)
        return chr(k & 0xFF) if k >= 0 else ""

    def closed(self) -> bool:
        try:
            return self._cv2.getWindowProperty(self.title, self._cv2.WND_PROP_VISIBLE) < 1
        except self._cv2.error:
            return True

    def close(self) -> None:
        self._cv2.destroyAllWindows()
        self._cv2.waitKey(1)


class _TerminalView:
    """``--no-window``: a line whenever the cue changes, and the timer every few seconds in between."""

    TIMER_EVERY_S = 5.0

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout
        self._last_cue: str | None = None
        self._last_t = -1e9

    def update(self, t: float, phase: str, cue: str, timer: str) -> None:
        if cue == self._last_cue and t - self._last_t < self.TIMER_EVERY_S:
            return
        status = "set-up" if phase == SETUP else timer
        self.stream.write(f"[{t:6.1f} s] {status}" + (f" | {cue}" if cue else "") + "\n")
        self.stream.flush()
        self._last_cue, self._last_t = cue, t


class _VideoTrack:
    """The annotated video of a live session at a constant frame rate: each processed frame fills
    the frame slots (1/fps s each) until the next one arrives, so the file plays at real speed.
    An encoder failure stops the video only (``failed`` says why); the session goes on."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        self.fps = fps if fps > 0 else DEFAULT_FPS
        self.path = path
        self.writer = KeepGoingWriter(open_video_writer(path, self.fps, size))
        self._t0: float | None = None
        self._written = 0  # slots written so far
        self._last: np.ndarray | None = None

    @property
    def failed(self) -> str | None:
        return self.writer.failed

    def add(self, t: float, img: np.ndarray) -> None:
        if self._t0 is None:
            self._t0 = t
        slot = math.floor((t - self._t0) * self.fps + 0.5)
        if self._last is not None:
            for _ in range(slot - self._written):
                self.writer.write(self._last)
            self._written = max(self._written, slot)
        self._last = img

    def close(self) -> None:
        if self._last is not None:
            self.writer.write(self._last)
        self.writer.release()


def _merge(parts: list[SessionResult]) -> SessionResult:
    """One result from consecutive session segments (the user reset or switched side in between)."""
    first = parts[0]
    frames = FrameLog(first.spec.signals)
    for p in parts:
        frames.extend(p.frames)
    return SessionResult(first.spec, frames, [h for p in parts for h in p.holds],
                         [r for p in parts for r in p.reps], first.width, first.height,
                         [n for p in parts for n in p.notes], parts[-1].side_override)


def _timer_text(spec: ExerciseSpec, r) -> str:
    if r is None:
        return "not timing"
    if spec.mode == "hold":
        side = f"{r.side} " if r.side else ""
        return f"{side}good form {r.hold_good_s:4.1f}/{spec.target_s:g} s" if r.in_hold else "not in a hold"
    return f"reps {r.reps_done}{' (at the top)' if r.at_top else ''}"


def run_live(exercise: str, out_dir: Path, camera: int | None = None, source: Path | None = None,
             window: bool = True, voice: bool = False, tones: bool = True, max_side: int = 720,
             write_video: bool = True, side: str | None = None, estimator: PoseEstimator | None = None,
             on_frame: Callable[[int], None] | None = None, show_summary_s: float = SUMMARY_SHOW_S) -> LiveOutcome:
    """Coach ``exercise`` live from ``camera`` (index) or ``source`` (a file played in real time).

    Writes report.json, frames.csv, angles.png and annotated.mp4 into ``out_dir`` when the session
    ends for any reason. ``on_frame`` (for tests/benchmarks) is called with each displayed frame's index.
    """
    spec = load_exercise(exercise)
    if window and not display_available():
        raise InputError("no display to open the live window on (DISPLAY is not set or refuses connections) — "
                         "run with --no-window for terminal output, or start a desktop session")
    frames, info, paced = open_live_input(camera, source, max_side)
    make_out_dir(out_dir)
    if estimator is None:
        from formcheck.pose.mediapipe_pose import MediaPipePose

        estimator = MediaPipePose(segmentation=spec.needs_outline)
    from formcheck.pose.outline import measure_back_outline

    outline_fn = measure_back_outline if spec.needs_outline else None

    def new_session(side_override: str | None) -> Session:
        return Session(spec, info.width, info.height, side_override=side_override)

    sound = SoundOut(tones=tones, voice=voice)
    for note in sound.notes:
        sys.stderr.write(f"formcheck: note: {note}\n")
    n_sound_notes = len(sound.notes)
    view = _Window(f"{WINDOW_TITLE} - {spec.name}") if window else None
    term = None if window else _TerminalView()
    track = _VideoTrack(out_dir / "annotated.mp4", info.fps, (info.width, info.height)) if write_video else None
    grabber = FrameGrabber(frames, paced=paced).start()
    coach = LiveCoach(spec)
    keys = KeyFrames(spec)  # the worst frame of each fault, for report.html
    session = new_session(side)
    parts: list[SessionResult] = []
    n_frames = n_found = 0
    stats = LiveStats()
    notes: list[str] = []
    interrupted = quit_by_key = False
    paused = False
    last_img: np.ndarray | None = None
    last_result = None
    t0 = time.monotonic()
    if not window:
        sys.stdout.write(f"formcheck live: {spec.title} — Ctrl-C to stop\n")
    try:
        while True:
            cap = grabber.take(timeout=0.1)
            key = ""
            if cap is None:
                if grabber.ended:
                    break
                if view is not None:
                    key = view.poll(10)
            else:
                frame = cap.frame
                img = frame.image.copy()
                if paused:
                    draw_banner(img, "PAUSED - space to go on")
                    if track is not None:
                        track.add(frame.t, img)
                else:
                    rec = observe(frame, estimator, None if coach.phase == SETUP else outline_fn)
                    obs = rec.obs
                    if coach.phase == SETUP:
                        verdict = check_setup(obs, info.width, info.height)
                        state = coach.on_setup(frame.t, verdict)
                        draw_setup(img, obs.xy if obs is not None else None, state.cue, verdict.ok)
                        last_result = None
                    else:
                        r = session.step(frame.index, frame.t, obs, rec.outline)
                        keys.offer(frame.image, r)
                        state = coach.on_result(r)
                        draw_frame(img, spec, dataclasses.replace(r, cue=state.cue))
                        last_result = r
                    for ev in state.events:
                        sound.event(ev)
                    if state.cue:
                        sound.say(state.cue)
                    if term is not None:
                        term.update(frame.t, state.phase, state.cue, _timer_text(spec, last_result))
                    if track is not None:
                        track.add(frame.t, img)
                last_img = img
                if view is not None:
                    view.show(img)
                    key = view.poll(1)
                now = time.monotonic()
                stats.displayed += 1
                stats.latencies_s.append(now - cap.arrived)
                if math.isnan(stats.first_display):
                    stats.first_display = now
                stats.last_display = now
                if on_frame is not None:
                    on_frame(frame.index)
            if view is not None and view.closed():
                quit_by_key = True
                break
            if key == "q" or key == "\x1b":
                quit_by_key = True
                break
            if key == " ":
                paused = not paused
                (grabber.pause if paused else grabber.resume)()
                if paused and view is not None and last_img is not None:  # a paused file sends no new frame
                    view.show(draw_banner(last_img.copy(), "PAUSED - space to go on"))
            elif key in ("r", "s"):
                t_now = last_result.t if last_result is not None else 0.0
                if key == "s" and spec.sides != "back_leg":
                    notes.append(f"s pressed at {t_now:.1f} s: this exercise is not timed per side")
                    continue
                new_side = session.side_override
                if key == "s":
                    current = (last_result.side if last_result is not None else None) or session.side_override
                    new_side = {"left": "right", "right": "left"}.get(current or "", "left")
                    notes.append(f"side switched by the user to {new_side} at {t_now:.1f} s")
                else:
                    notes.append(f"reset by the user at {t_now:.1f} s")
                    coach.reset()
                done, session = session, new_session(new_side)  # swap first: Ctrl-C here loses nothing twice
                parts.append(done.finish())
                n_frames += done.n_frames
                n_found += done.n_found
    except KeyboardInterrupt:
        interrupted = True
    finally:
        grabber.stop()
        if track is not None:
            track.close()
        estimator.close()
    stats.captured, stats.dropped = grabber.captured, grabber.dropped
    for note in sound.notes[n_sound_notes:]:  # e.g. no sound device: said once, at the end
        sys.stderr.write(f"formcheck: note: {note}\n")
    parts.append(session.finish())
    n_frames += session.n_frames
    n_found += session.n_found
    result = _merge(parts)
    result.notes[:0] = notes
    lost = grabber.stop_reason or (info.decode_errors[0] if info.decode_errors else None)
    if grabber.stop_reason:
        result.notes.append(grabber.stop_reason)
    if track is not None and track.failed:
        result.notes.append(f"the annotated video stopped early: {track.failed}")
    if stats.captured:
        result.notes.append(f"live: {stats.displayed} of {stats.captured} captured frames judged and shown "
                            f"({stats.dropped} dropped while busy)")
    if interrupted:
        result.notes.append("stopped with Ctrl-C")
    elapsed = time.monotonic() - t0
    report = None
    error: FormcheckError | None = None
    if n_frames == 0:
        if track is not None:
            track.path.unlink(missing_ok=True)
        reason = lost or "the session ended before the set-up was complete"
        error = NoUsableFramesError(f"nothing was judged: {reason} — no report written")
        summary = ""
    else:
        live_info = dataclasses.replace(info, frame_count=stats.captured)
        report = write_session_outputs(result, live_info, n_frames, n_found, elapsed, out_dir, key_frames=keys)
        from formcheck.run.score import summarize

        summary = summarize(report, out_dir)
        if lost is not None:
            error = SourceLostError(f"{lost} — report of the session so far written to {out_dir}")
        elif interrupted:
            error = FormcheckError(f"interrupted — report of the session so far written to {out_dir}", 130)
    if view is not None:
        if report is not None and not interrupted and not quit_by_key and show_summary_s > 0 and last_img is not None:
            _show_summary(view, last_img, summary, show_summary_s)
        view.close()
    if n_frames == 0 and quit_by_key and error is not None:
        error = NoUsableFramesError("quit during the set-up: nothing was judged, no report written")
    return LiveOutcome(report, out_dir, stats, summary, error, result if report is not None else None)


def _show_summary(view: _Window, img: np.ndarray, summary: str, seconds: float) -> None:
    """Show the end-of-session summary over the last frame until a key or ``seconds`` pass."""
    import cv2

    card = (img * 0.35).astype(np.uint8)
    h, w = card.shape[:2]
    s = max(0.4, min(w, h) / 1000)
    y = int(40 * s) + 10
    for line in summary.splitlines()[:14]:
        text = line.strip().encode("ascii", "replace").decode()[: int(w / (11 * s))]
        cv2.putText(card, text, (12, y), cv2.FONT_HERSHEY_SIMPLEX, 0.6 * s, (255, 255, 255), 1, cv2.LINE_AA)
        y += int(30 * s)
    view.show(card)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if view.poll(50):
            break

