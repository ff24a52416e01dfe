"""Live capture in its own thread: the consumer always gets the newest frame; stale ones are dropped.

Two kinds of input look the same to the live loop:

- a camera (``cv2.VideoCapture(index)``): a frame's time is when it was grabbed, in seconds since
  capture started (monotonic clock);
- a video file played *as if* it were a camera: each frame is released at its own presentation
  time (real-time pacing), and a frame the consumer has not taken before the next one is due is
  dropped, exactly as a slow consumer loses camera frames.

``Captured.arrived`` is the monotonic wall-clock second at which the frame became available, so
capture-to-display latency can be measured.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from formcheck.errors import InputError
from formcheck.media.frame import Frame, SourceInfo
from formcheck.media.sources import VideoFileSource, scale_to_fit

# A camera that returns this many failed reads in a row, or nothing for this long, has gone away.
CAMERA_MAX_FAILED_READS = 30
CAMERA_STALL_S = 3.0


@dataclass(frozen=True)
class Captured:
    """A frame and the monotonic time (s) it became available to the consumer."""

    frame: Frame
    arrived: float


class FrameGrabber:
    """Runs ``frames`` (an iterator of :class:`Frame`) in a thread and keeps only the newest one.

    ``paced``: release each frame at ``start + frame.t`` (a file played in real time); otherwise
    frames are released as fast as the iterator yields them (a camera paces itself).
    ``pause()`` / ``resume()`` stop the paced clock (a file waits; camera frames keep arriving).
    When the iterator ends, ``ended`` is set; ``stop_reason`` says why if it ended badly.
    """

    def __init__(self, frames: Iterator[Frame], paced: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self._frames = frames
        self._paced = paced
        self._clock = clock
        self._cond = threading.Condition()
        self._latest: Captured | None = None
        self._stop = threading.Event()
        self._paused_at: float | None = None
        self._offset = 0.0  # seconds the paced clock was held by pauses
        self.started_at = 0.0
        self.ended = False
        self.stop_reason: str | None = None
        self.captured = 0
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="formcheck-capture", daemon=True)

    def start(self) -> FrameGrabber:
        """Start the capture thread; returns self."""
        self.started_at = self._clock()
        self._thread.start()
        return self

    def _wait_until_due(self, t: float) -> bool:
        """Sleep until the paced clock reaches ``t`` s; False if asked to stop meanwhile."""
        while not self._stop.is_set():
            with self._cond:
                paused = self._paused_at is not None
                due = self.started_at + self._offset + t
            if not paused:
                wait = due - self._clock()
                if wait <= 0:
                    return True
                self._stop.wait(min(wait, 0.05))
            else:
                self._stop.wait(0.02)
        return False

    def _run(self) -> None:
        try:
            for frame in self._frames:
                if self._stop.is_set():
                    break
                if self._paced and not self._wait_until_due(frame.t):
                    break
                with self._cond:
                    if self._latest is not None:
                        self.dropped += 1
                    self._latest = Captured(frame, self._clock())
                    self.captured += 1
                    self._cond.notify_all()
        except Exception as e:  # a decoder or driver failure ends the stream, it must not kill the session
            self.stop_reason = f"the video source failed: {e}"
        finally:
            with self._cond:
                self.ended = True
                self._cond.notify_all()

    def take(self, timeout: float = 1.0) -> Captured | None:
        """The newest frame not yet taken, waiting up to ``timeout`` s; None if none came or the stream ended."""
        with self._cond:
            if self._latest is None and not self.ended:
                self._cond.wait(timeout)
            got, self._latest = self._latest, None
            return got

    def pause(self) -> None:
        """Hold the paced clock (a file source stops advancing)."""
        with self._cond:
            if self._paused_at is None:
                self._paused_at = self._clock()

    def resume(self) -> None:
        """Restart the paced clock where it was held."""
        with self._cond:
            if self._paused_at is not None:
                self._offset += self._clock() - self._paused_at
                self._paused_at = None

    def stop(self) -> None:
        """Ask the thread to finish and wait briefly for it."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)


class CameraFrames:
    """Frames from a camera index, timed by the monotonic clock at grab; ``error`` says why they stopped."""

    def __init__(self, index: int, max_side: int = 0, open_timeout_s: float = 5.0) -> None:
        cap = cv2.VideoCapture(index)
        if not cap.isOpened():
            cap.release()
            raise InputError(f"camera {index} could not be opened (no such camera, or another program is using "
                             "it) — try another --camera index, or --source FILE to play a video")
        ok, img = False, None
        deadline = time.monotonic() + open_timeout_s
        while time.monotonic() < deadline:
            ok, img = cap.read()
            if ok and img is not None:
                break
        if not ok or img is None:
            cap.release()
            raise InputError(f"camera {index} opened but sent no picture — check that it is not covered or in use")
        w, h = scale_to_fit(img.shape[1], img.shape[0], max_side)
        self.index = index
        self._cap = cap
        self._first = img
        self._size = (w, h)
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.info = SourceInfo(f"camera {index}", w, h, fps, 0, "camera")
        self.error: str | None = None

    def __iter__(self) -> Iterator[Frame]:
        t0 = time.monotonic()
        img: np.ndarray | None = self._first
        index, failures, last_ok = 0, 0, t0
        try:
            while True:
                if img is not None:
                    now = time.monotonic()
                    if (img.shape[1], img.shape[0]) != self._size:
                        img = cv2.resize(img, self._size, interpolation=cv2.INTER_AREA)
                    yield Frame(index, now - t0, img)
                    index, failures, last_ok = index + 1, 0, now
                ok, img = self._cap.read()
                if not ok or img is None:
                    img = None
                    failures += 1
                    if failures >= CAMERA_MAX_FAILED_READS or time.monotonic() - last_ok > CAMERA_STALL_S:
                        self.error = (f"camera {self.index} stopped sending frames after {index} frames "
                                      "(unplugged or taken by another program)")
                        self.info.decode_errors.append(self.error)
                        return
                    time.sleep(0.01)
        finally:
            self._cap.release()


def open_live_input(camera: int | None, source: Path | None, max_side: int) -> tuple[Iterator[Frame], SourceInfo,
                                                                                       bool]:
    """Open the camera or the file to play as a camera: (frames, info, paced)."""
    if source is not None:
        src = VideoFileSource(source, max_side=max_side)
        src.info.kind = "video played as live"
        return iter(src), src.info, True
    cam = CameraFrames(camera if camera is not None else 0, max_side=max_side)
    return iter(cam), cam.info, False
