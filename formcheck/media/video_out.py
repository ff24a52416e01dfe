"""Writing the annotated video: one place that chooses the codec and opens the file.

The video is H.264 (yuv420p, moov atom first) so that browsers, QuickTime and phones play it. It is
encoded by the ffmpeg executable that ships inside the ``imageio-ffmpeg`` wheel (built with
libx264), fed raw frames through a pipe. The colour conversion to YUV 4:2:0 is done here with
OpenCV (SIMD, ~0.2 ms per 640x480 frame), which also halves the bytes sent through the pipe.
When that ffmpeg or its libx264 is missing, OpenCV's MPEG-4 Part 2 (``mp4v``) writer is used
instead, with a one-line warning: many players refuse it.

The encoder runs in its own process group, so a Ctrl-C in the terminal reaches only formcheck;
formcheck then calls :meth:`H264Writer.release`, which closes the pipe and lets ffmpeg finish the
file. Even if formcheck dies, the closed pipe makes ffmpeg finish and exit.

The video is written under a temporary name (:class:`formcheck.media.outfiles.AtomicFile`) and takes the
name ``annotated.mp4`` only once finished: a failed or abandoned encoding never replaces the
video of an earlier run, and never leaves half a file under that name.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from formcheck.errors import FormcheckError, InputError
from formcheck.media.outfiles import AtomicFile

DEFAULT_FPS = 30.0  # used when the source does not say its frame rate
H264_CRF = 23  # x264 quality (lower = better, bigger); 23 is x264's own default
# x264 speed preset. Encoding shares 2 cores with pose estimation, so its CPU time is the video's
# main cost: measured on a 640x480 30 fps clip (benchmarks/video_encode.py), ultrafast takes ~1.3 ms
# of encoder CPU per frame against ~2.3 ms for veryfast; its files are 4-8x larger at the same CRF
# (a 30 s clip of real footage: 3.2 MB against 0.7 MB).
H264_PRESET = "ultrafast"
# One encoding thread at a lower CPU priority: the encoder needs ~1 ms per frame and must not
# preempt pose estimation, the step that sets the pace (nice values: higher = yields more).
H264_THREADS = 1
ENCODER_NICE = 10
RELEASE_TIMEOUT_S = 300.0  # how long release() waits for ffmpeg to finish the file


class VideoSink(Protocol):
    """What the scoring and live loops write annotated frames into."""

    def write(self, image: np.ndarray) -> None:
        """Append one BGR uint8 frame of the size given when opening."""

    def release(self) -> None:
        """Finish the file (idempotent)."""


def find_h264_ffmpeg() -> tuple[str | None, str]:
    """The bundled ffmpeg executable when it can encode H.264, else ``(None, why not)``."""
    try:
        import imageio_ffmpeg
    except ImportError:
        return None, "imageio-ffmpeg is not installed (pip install imageio-ffmpeg)"
    try:
        exe = imageio_ffmpeg.get_ffmpeg_exe()
        encoders = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True,
                                  timeout=30).stdout
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        return None, f"imageio-ffmpeg's ffmpeg does not run ({e})"
    if " libx264 " not in encoders:
        return None, f"{exe} has no libx264 encoder"
    return exe, ""


class H264Writer:
    """Takes BGR frames, converts them to YUV 4:2:0 and pipes them into ffmpeg/libx264. ``write``
    and ``release`` may be called from different threads (a lock orders them); ``release`` waits
    for ffmpeg, puts the finished file in place of ``part.path``, and raises :class:`FormcheckError`
    with ffmpeg's own message when it failed (the unfinished file is then removed)."""

    def __init__(self, exe: str, part: AtomicFile, fps: float, size: tuple[int, int],
                 preset: str = H264_PRESET) -> None:
        self.path = part.path
        self._part = part
        self.size = (int(size[0]), int(size[1]))
        w, h = self.size
        self._pad = (h % 2, w % 2)  # yuv420p needs an even width and height: odd sizes get one black row/column
        cmd = [exe, "-hide_banner", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{w + self._pad[1]}x{h + self._pad[0]}",
               "-framerate", f"{fps:.6g}", "-i", "pipe:0", "-an",
               "-c:v", "libx264", "-preset", preset, "-crf", str(H264_CRF), "-pix_fmt", "yuv420p",
               "-threads", str(H264_THREADS), "-movflags", "+faststart", "-f", "mp4", str(part.tmp)]
        self._log = tempfile.TemporaryFile()
        self._lock = threading.Lock()
        self._closed = False
        self.frames_written = 0
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log,
                                          start_new_session=True)
        except OSError as e:
            self._log.close()
            part.discard()
            raise FormcheckError(f"cannot start the video encoder {exe}: {e.strerror}") from None
        try:
            os.setpriority(os.PRIO_PROCESS, self._proc.pid, ENCODER_NICE)
        except (AttributeError, OSError):
            pass  # not on this platform, or the encoder already exited: it then runs at normal priority

    def _ffmpeg_said(self) -> str:
        self._log.seek(0)
        lines = [ln.strip() for ln in self._log.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1] if lines else "no message"

    def write(self, image: np.ndarray) -> None:
        """Send one frame (BGR uint8, ``size`` pixels) to the encoder."""
        w, h = self.size
        if image.shape != (h, w, 3) or image.dtype != np.uint8:
            raise ValueError(f"frame {image.shape} {image.dtype} does not match the video's {w}x{h} BGR uint8")
        if any(self._pad):
            image = cv2.copyMakeBorder(image, 0, self._pad[0], 0, self._pad[1], cv2.BORDER_CONSTANT)
        yuv = cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420)
        with self._lock:
            if self._closed:
                raise ValueError("write() after release()")
            assert self._proc.stdin is not None  # opened with stdin=PIPE
            try:
                self._proc.stdin.write(yuv.data)
                self.frames_written += 1
            except (BrokenPipeError, OSError):
                self._proc.wait()
                self._closed = True
                self._part.discard()
                raise FormcheckError(f"{self.path}: the video encoder stopped ({self._ffmpeg_said()}) — check the "
                                     "free space in the --out folder, or use --no-video") from None

    def release(self) -> None:
        """Close the pipe and wait until ffmpeg has finished the file."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            assert self._proc.stdin is not None  # opened with stdin=PIPE
            try:
                self._proc.stdin.close()
            except OSError:
                pass  # ffmpeg already gone: its exit code says why
            try:
                rc = self._proc.wait(timeout=RELEASE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                rc = self._proc.wait()
            said = self._ffmpeg_said() if rc != 0 else ""
            self._log.close()
            if rc != 0 or self.frames_written == 0:  # with no frame there is no video to keep
                self._part.discard()
            else:
                self._part.commit()
        if rc != 0 and self.frames_written > 0:
            raise FormcheckError(f"{self.path}: the video encoder failed (ffmpeg exit {rc}: {said})")


def open_video_writer(path: Path, fps: float, size: tuple[int, int], *, codec: str = "h264") -> VideoSink:
    """Open ``path`` for writing BGR frames of ``size`` (width, height) pixels at ``fps`` frames per second.

    ``codec`` "h264" (default) uses the bundled ffmpeg and falls back to OpenCV's mp4v with a warning
    on stderr; "mp4v" asks for OpenCV's writer directly.
    """
    fps = fps if fps > 0 else DEFAULT_FPS
    if codec not in ("h264", "mp4v"):
        raise ValueError(f"unknown codec {codec!r}")
    try:
        part = AtomicFile(Path(path))  # fail now, not after the first frame, when the folder is not writable
    except OSError as e:
        raise InputError(f"{path}: cannot write the annotated video here ({e.strerror}) — choose another --out "
                         "folder") from None
    if codec == "h264":
        exe, why = find_h264_ffmpeg()
        if exe is not None:
            return H264Writer(exe, part, fps, size)
        sys.stderr.write(f"formcheck: warning: {why}; annotated.mp4 is written as MPEG-4 Part 2 (mp4v), "
                         "which browsers and phones may not play\n")
    return Mp4vWriter(part, fps, size)


class Mp4vWriter:
    """OpenCV's MPEG-4 Part 2 writer into a temporary file that takes its real name on :meth:`release`."""

    def __init__(self, part: AtomicFile, fps: float, size: tuple[int, int]) -> None:
        self._part = part
        fourcc = cv2.VideoWriter_fourcc(*"mp4v")  # type: ignore[attr-defined]
        self._writer = cv2.VideoWriter(str(part.tmp), fourcc, fps, size)
        self._frames = 0
        self._done = False
        if not self._writer.isOpened():
            part.discard()
            raise InputError(f"{part.path}: cannot write the annotated video here — choose another --out folder")

    def write(self, image: np.ndarray) -> None:
        """Append one BGR uint8 frame."""
        self._writer.write(image)
        self._frames += 1

    def release(self) -> None:
        """Finish the file and give it its real name (idempotent; no frame: no file)."""
        if self._done:
            return
        self._done = True
        self._writer.release()
        if self._frames:
            self._part.commit()
        else:
            self._part.discard()


class KeepGoingWriter:
    """Wraps a :class:`VideoSink` so an encoder failure (disk full, ffmpeg gone) stops the video only:
    later frames are dropped, ``failed`` says why, and the scoring it serves carries on."""

    def __init__(self, sink: VideoSink) -> None:
        self.sink = sink
        self.failed: str | None = None

    def write(self, frame: np.ndarray) -> None:
        """Pass ``frame`` on unless the encoder already failed."""
        if self.failed is None:
            try:
                self.sink.write(frame)
            except (FormcheckError, OSError, ValueError) as e:
                self.failed = str(e)

    def release(self) -> None:
        """Finish the file; a failure is kept in ``failed``, not raised."""
        try:
            self.sink.release()
        except (FormcheckError, OSError, ValueError) as e:
            self.failed = self.failed or str(e)


MAX_FILL_S = 10.0  # a longer jump between two frames' timestamps is a broken clock, not a pause: not filled
# Frame rate cap of the constant-rate video: some containers claim a time base (1000 fps) as their rate,
# which would repeat every frame dozens of times; 120 keeps slow-motion phone clips whole.
MAX_VIDEO_FPS = 120.0


class ConstantRateVideo:
    """The annotated video at a constant frame rate from frames with timestamps: each frame fills
    the frame slots (1/fps s each) until the next one arrives, so the file plays at real speed and
    its timer stays with the source's — for variable-frame-rate phone videos, frames lost to a
    corrupt stretch, and live frames dropped under load. Two frames in one slot: the later is kept.
    An encoder failure stops the video only (``failed`` says why); the session goes on."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        self.fps = min(fps, MAX_VIDEO_FPS) if fps > 0 else DEFAULT_FPS
        self.path = path
        self.writer = KeepGoingWriter(open_video_writer(path, self.fps, size))
        self._t0: float | None = None
        self._written = 0  # slots written so far
        self._last: np.ndarray | None = None

    @property
    def failed(self) -> str | None:
        """Why the video stopped early (None while it is fine)."""
        return self.writer.failed

    def add(self, t: float, img: np.ndarray) -> None:
        """Add the frame shown from ``t`` seconds (source time) on."""
        if self._t0 is None:
            self._t0 = t
        slot = math.floor((t - self._t0) * self.fps + 0.5)
        jump = slot - self._written - math.ceil(MAX_FILL_S * self.fps)
        if jump > 0:  # a broken clock: fill the longest pause, then go on from there
            self._t0 += jump / self.fps
            slot -= jump
        if self._last is not None:
            for _ in range(slot - self._written):
                self.writer.write(self._last)
            self._written = max(self._written, slot)
        self._last = img

    def close(self) -> None:
        """Write the last frame (one slot) and finish the file."""
        if self._last is not None:
            self.writer.write(self._last)
            self._last = None
        self.writer.release()
