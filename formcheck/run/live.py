"""``formcheck live``: coach a stretch from a webcam (or a video played as one), frame by frame.

Capture runs in its own thread and the loop always takes the newest frame (stale ones are
dropped), timed by capture timestamps. The pose model runs in another thread
(:class:`~formcheck.run.live_pose.PoseThread`) on frames due at the analysis rate (``--rate``),
and only when it is free: every frame taken is shown (and written to the annotated video) with
the overlay of the last analysed frame carried, so a slow machine lowers the analysis rate rather
than the displayed frame rate. The session summary says the rate achieved. Each analysed frame
goes through the same :class:`Session` as ``score``; :class:`LiveCoach` adds the set-up phase,
side switches and sound events. Whatever ends the session — the q key, Ctrl-C, the end of the
file, a camera that disappears — the same files as ``score`` are written for what was judged.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import numpy as np

from formcheck.errors import InputError, NoUsableFramesError
from formcheck.exercises import load_exercise
from formcheck.exercises.spec import ExerciseSpec
from formcheck.judge.frame_log import FrameLog
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.session import Session, SessionResult
from formcheck.judge.setup_check import check_setup
from formcheck.judge.sides import Side
from formcheck.media.capture import FrameGrabber, open_live_input
from formcheck.media.frame import Frame, SourceInfo
from formcheck.media.procs import held_stop, stop_words, tell
from formcheck.media.rate import is_analysed, rate_label
from formcheck.media.video_out import ConstantRateVideo
from formcheck.pose.analyse import PoseRecord
from formcheck.pose.base import PoseEstimator
from formcheck.pose.outline import measure_back_outline
from formcheck.report.key_frames import KeyFrames
from formcheck.report.outputs import make_out_dir
from formcheck.report.overlay import draw_banner, draw_frame, draw_setup
from formcheck.run.coach import SETUP, CoachState, LiveCoach
from formcheck.run.cues import FormCues
from formcheck.run.finish import Ending, LiveStats, SessionOutcome, finish_session
from formcheck.run.live_pose import PoseThread
from formcheck.run.sound import SoundOut

WINDOW_TITLE = "formcheck live"
SUMMARY_SHOW_S = 3.0     # how long the window shows the summary at the end
KEYS_HELP = "keys: q quit, space pause, r reset, s switch side"


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

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._last_cue: str | None = None
        self._last_t = -1e9

    def update(self, t: float, phase: str, cue: str, timer: str) -> None:
        if cue == self._last_cue and t - self._last_t < self.TIMER_EVERY_S:
            return
        status = "set-up" if phase == SETUP else timer
        tell(self.stream, f"[{t:6.1f} s] {status}" + (f" | {cue}" if cue else "") + "\n")
        self._last_cue, self._last_t = cue, t


def _merge(parts: list[SessionResult]) -> SessionResult:
    """One result from consecutive session segments (the user reset or switched side in between)."""
    first = parts[0]
    frames = FrameLog(first.spec.signals)
    for p in parts:
        frames.extend(p.frames)
    return SessionResult(first.spec, frames, [h for p in parts for h in p.holds],
                         [r for p in parts for r in p.reps], first.width, first.height,
                         [n for p in parts for n in p.notes], parts[-1].side_override,
                         sum(p.n_frames for p in parts), sum(p.n_found for p in parts))


def _timer_text(spec: ExerciseSpec, r: FrameResult | None) -> str:
    if r is None:
        return "not timing"
    if spec.mode == "hold":
        side = f"{r.side} " if r.side else ""
        return f"{side}good form {r.hold_good_s:4.1f}/{spec.target_s:g} s" if r.in_hold else "not in a hold"
    return f"reps {r.reps_done}{' (at the top)' if r.at_top else ''}"


class _LiveRun:
    """One live session: :meth:`on_frame` per captured frame, :meth:`on_key` per key press, then
    :meth:`finish`. Holds the session (swapped for a new one on reset or side switch), the coach,
    the views and the annotated video."""

    def __init__(self, spec: ExerciseSpec, info: SourceInfo, estimator: PoseEstimator, out_dir: Path,
                 side: Side | None, view: _Window | None, term: _TerminalView | None, track: ConstantRateVideo | None,
                 sound: SoundOut, rate: float | None = None) -> None:
        self.spec, self.info, self.estimator, self.out_dir = spec, info, estimator, out_dir
        self.pose = PoseThread(estimator)
        self.rate = rate
        self.last_analysed_t: float | None = None  # capture time of the last frame handed to the model
        self.shown_t: tuple[float, float] | None = None  # capture times of the first and last frame shown
        self.overlay: Callable[[np.ndarray], object] | None = None  # the last verdict, drawn on each frame shown
        self.view, self.term, self.track, self.sound = view, term, track, sound
        self.outline_fn = measure_back_outline if spec.needs_outline else None
        self.person: str | None = None  # who is filmed, named in the report
        self.coach = LiveCoach(spec)
        self.keys = KeyFrames(spec)  # the worst frame of each fault, for report.html
        self.session = self._new_session(side)
        self.parts: list[SessionResult] = []
        self.stats = LiveStats()
        self.notes: list[str] = []
        self.paused = False
        self.quit_by_key = False
        self.last_img: np.ndarray | None = None
        self.last_result: FrameResult | None = None

    def _new_session(self, side_override: Side | None) -> Session:
        return Session(self.spec, self.info.width, self.info.height, side_override=side_override,
                       cues=FormCues(self.spec))

    def on_frame(self, frame: Frame) -> None:
        """Judge the last analysed frame if its pose is ready, hand this one to the model if it is due
        and the model is free, then show and record this frame with the last verdict drawn on it
        (while paused: only show and record it)."""
        img = frame.image.copy()
        self.shown_t = (frame.t if self.shown_t is None else self.shown_t[0], frame.t)
        if self.paused:
            draw_banner(img, "PAUSED - space to go on")
        else:
            rec = self.pose.take()
            if rec is not None:
                state = self._judge(rec)
                for ev in state.events:
                    self.sound.event(ev)
                if state.cue:
                    self.sound.say(state.cue)
                if self.term is not None:
                    self.term.update(rec.t, state.phase, state.cue, _timer_text(self.spec, self.last_result))
            due = self.last_analysed_t is None or is_analysed(frame.t, self.last_analysed_t, self.rate, self.info.fps)
            if due and self.pose.submit(frame, None if self.coach.phase == SETUP else self.outline_fn):
                self.last_analysed_t = frame.t
            if self.overlay is not None:
                self.overlay(img)
        if self.track is not None:
            self.track.add(frame.t, img)
        self.last_img = img
        if self.view is not None:
            self.view.show(img)

    def _judge(self, rec: PoseRecord) -> CoachState:
        """The set-up check, or the session's verdict, on an analysed frame; what to draw on the frames
        shown until the next one becomes :attr:`overlay`."""
        if self.coach.phase == SETUP:
            verdict = check_setup(rec.obs, self.info.width, self.info.height)
            state = self.coach.on_setup(rec.t, verdict)
            xy = rec.obs.xy if rec.obs is not None else None
            self.overlay = lambda img: draw_setup(img, xy, state.cue, verdict.ok)
            self.last_result = None
            return state
        r = self.session.step(rec.index, rec.t, rec.obs, rec.outline)
        if rec.image is not None:
            self.keys.offer(rec.image, r)
        state = self.coach.on_result(r)
        shown = dataclasses.replace(r, cue=state.cue)
        self.overlay = lambda img: draw_frame(img, self.spec, shown)
        self.last_result = r
        return state

    def on_key(self, key: str, grabber: FrameGrabber) -> bool:
        """Act on a key press; False when the session should end (q or Esc)."""
        if key in ("q", "\x1b"):
            self.quit_by_key = True
            return False
        if key == " ":
            self.paused = not self.paused
            (grabber.pause if self.paused else grabber.resume)()
            if self.paused and self.view is not None and self.last_img is not None:  # a paused file sends no frame
                self.view.show(draw_banner(self.last_img.copy(), "PAUSED - space to go on"))
        elif key in ("r", "s"):
            self._restart(key)
        return True

    def _restart(self, key: str) -> None:
        """``r``: back to the set-up check; ``s``: time the other side from now. Holds so far stay."""
        t_now = self.last_result.t if self.last_result is not None else 0.0
        if key == "s" and not self.spec.per_side:
            self.notes.append(f"s pressed at {t_now:.1f} s: this exercise is not timed per side")
            return
        new_side = self.session.side_override
        if key == "s":
            current = (self.last_result.side if self.last_result is not None else None) or self.session.side_override
            new_side = "right" if current == "left" else "left"
            self.notes.append(f"side switched by the user to {new_side} at {t_now:.1f} s")
        else:
            self.notes.append(f"reset by the user at {t_now:.1f} s")
            self.coach.reset()
        done, self.session = self.session, self._new_session(new_side)  # swap first: Ctrl-C here loses nothing twice
        self.parts.append(done.finish())

    def count_displayed(self, arrived: float) -> None:
        """Book one displayed frame that became available at ``arrived`` (monotonic seconds)."""
        now = time.monotonic()
        st = self.stats
        st.displayed += 1
        st.latencies_s.append(now - arrived)
        if math.isnan(st.first_display):
            st.first_display = now
        st.last_display = now

    def finish(self, grabber: FrameGrabber, stop: KeyboardInterrupt | None, elapsed_s: float) -> SessionOutcome:
        """Write the report of everything judged, however the session ended."""
        st = self.stats
        st.captured, st.dropped = grabber.captured, grabber.dropped
        self.parts.append(self.session.finish())
        result = _merge(self.parts)
        result.notes[:0] = self.notes
        lost = grabber.stop_reason or (self.info.decode_errors[0] if self.info.decode_errors else None)
        if grabber.stop_reason:
            result.notes.append(grabber.stop_reason)
        if self.track is not None and self.track.failed:
            result.notes.append(f"the annotated video could not be written: {self.track.failed}")
        st.analysed = self.pose.analysed
        if st.captured:
            span = self.shown_t[1] - self.shown_t[0] if self.shown_t is not None else 0.0
            achieved = f", {st.analysed / span:.1f} per second" if span > 0 else ""
            result.notes.append(f"live: {st.displayed} of {st.captured} captured frames shown ({st.dropped} dropped "
                                f"while busy); {st.analysed} analysed by the pose model{achieved} "
                                f"(--rate {rate_label(self.rate)})")
        if stop is not None:
            result.notes.append(stop_words(stop))
        if self.quit_by_key:
            nothing = NoUsableFramesError("quit during the set-up: nothing was judged, no report written")
        else:
            reason = lost or "the session ended before the set-up was complete"
            nothing = NoUsableFramesError(f"nothing was judged: {reason} — no report written")
        ending = Ending(stop=stop, lost=lost)
        live_info = dataclasses.replace(self.info, frame_count=st.captured)
        return finish_session(result, live_info, self.out_dir, elapsed_s, ending, nothing,
                              key_frames=self.keys, stats=st, require_person=False,
                              what="report of the session so far", person=self.person)


def run_live(exercise: str, out_dir: Path, camera: int | None = None, source: Path | None = None,
             window: bool = True, voice: bool = False, tones: bool = True, max_side: int = 720,
             write_video: bool = True, side: Side | None = None, estimator: PoseEstimator | None = None,
             on_frame: Callable[[int], None] | None = None,
             show_summary_s: float = SUMMARY_SHOW_S, rate: float | None = None,
             person: str | None = None) -> SessionOutcome:
    """Coach ``exercise`` live from ``camera`` (index) or ``source`` (a file played in real time),
    analysing at most ``rate`` frames per second (None: as many as the model keeps up with).

    Writes report.json, frames.csv, angles.png and annotated.mp4 into ``out_dir`` when the session
    ends for any reason (naming ``person`` when given). ``on_frame`` (for tests/benchmarks) is called with
    each displayed frame's index.
    """
    spec = load_exercise(exercise)
    if window and not display_available():
        raise InputError("no display to open the live window on (DISPLAY is not set or refuses connections) — "
                         "run with --no-window for terminal output, or start a desktop session")
    frames, info, paced = open_live_input(camera, source, max_side)
    info.analysis_rate_hz = rate
    make_out_dir(out_dir)
    if estimator is None:
        from formcheck.pose.mediapipe_pose import MediaPipePose

        # Frames the model does not see (the rate, or while it is busy) are accounted for from the input's rate.
        estimator = MediaPipePose(segmentation=spec.needs_outline, source_fps=info.fps or None)
    sound = SoundOut(tones=tones, voice=voice)
    for note in sound.notes:
        tell(sys.stderr, f"formcheck: note: {note}\n")
    n_sound_notes = len(sound.notes)
    view = _Window(f"{WINDOW_TITLE} - {spec.name}") if window else None
    track = ConstantRateVideo(out_dir / "annotated.mp4", info.fps, (info.width, info.height)) if write_video else None
    run = _LiveRun(spec, info, estimator, out_dir, side, view, None if window else _TerminalView(), track, sound,
                   rate)
    run.person = person
    grabber = FrameGrabber(frames, paced=paced).start()
    stop: KeyboardInterrupt | None = None
    t0 = time.monotonic()
    if not window:
        tell(sys.stdout, f"formcheck live: {spec.title} — Ctrl-C to stop\n")
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
                with held_stop():  # a stop lands between frames, never half-way through judging one
                    run.on_frame(cap.frame)
                if view is not None:
                    key = view.poll(1)
                run.count_displayed(cap.arrived)
                if on_frame is not None:
                    on_frame(cap.frame.index)
            if view is not None and view.closed():
                run.quit_by_key = True
                break
            if key:
                with held_stop():  # a reset or side switch is done whole or not at all
                    carry_on = run.on_key(key, grabber)
                if not carry_on:
                    break
    except KeyboardInterrupt as e:  # Ctrl-C, SIGTERM or SIGHUP (see formcheck.media.procs): the session ends here
        stop = e
    finally:
        grabber.stop()
        run.pose.stop()
        if track is not None:
            track.close()
        estimator.close()
    for note in sound.notes[n_sound_notes:]:  # e.g. no sound device: said once, at the end
        tell(sys.stderr, f"formcheck: note: {note}\n")
    outcome = run.finish(grabber, stop, time.monotonic() - t0)
    if view is not None:
        if (outcome.report is not None and stop is None and not run.quit_by_key and show_summary_s > 0
                and run.last_img is not None):
            _show_summary(view, run.last_img, outcome.summary, show_summary_s)
        view.close()
    return outcome


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

