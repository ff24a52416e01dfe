"""The scoring pipeline's process layout: pose in worker processes, judging and drawing here.

Pose estimation is the one costly step (~19 ms per 640x480 frame on one core). It runs in worker
processes (:mod:`formcheck.pose.worker`), each decoding its own frames in a background thread,
so decoding overlaps inference. This process receives small per-frame records (landmarks, no
pixels) **in frame order** and runs the causal session logic (cleaning, signals, rules, holds,
reps) over them. When it draws (the annotated video, the report's key frames) it decodes the video
a second time itself, in a background thread: decoding a 640x480 frame costs ~0.3 ms, sending one
between processes ~3 ms (pickling and copying 0.9 MB), which would slow the pose process down.
All of this overlaps the workers' inference on the other core.

With ``workers > 1`` the video is cut into that many time spans, one worker each; every span after
the first is decoded from ``WARMUP_S`` earlier so MediaPipe's tracking has settled when the span
starts, and those warm-up frames are dropped. Because the judging runs here over the stitched
sequence, a hold that spans a cut is timed as one hold; what can differ from a single worker is
only the pose itself in the first frames after a cut (see the README's Speed section for the
measured agreement).
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import queue
from collections.abc import Callable, Iterator

import numpy as np

from formcheck.errors import FormcheckError, InputError
from formcheck.exercises.spec import ExerciseSpec
from formcheck.judge.session import Session
from formcheck.media.frame import Frame
from formcheck.media.prefetch import Prefetched
from formcheck.media.procs import held_stop
from formcheck.media.sources import ImageFolderSource, VideoFileSource
from formcheck.media.video_out import ConstantRateVideo
from formcheck.pose.base import PoseEstimator
from formcheck.pose.worker import PoseRecord, Span, SpanEnd, SpanFailure, analyse, run_span
from formcheck.report.key_frames import KeyFrames
from formcheck.report.overlay import draw_frame

WARMUP_S = 2.0  # seconds each later span starts early so tracking settles (dropped after)
MIN_SPAN_S = 6.0  # a span shorter than this is not worth a worker: fewer workers are used
BATCH_FRAMES = 8  # records per message from a worker
WORKER_POLL_S = 1.0  # how often a silent worker is checked for being alive


def max_workers() -> int:
    """The most ``--workers`` accepted: the cores here (at least 2, so a two-process run works anywhere);
    more processes than cores only compete for them."""
    return max(2, os.cpu_count() or 1)


def parse_workers(text: str) -> int:
    """The ``--workers`` value (``score`` and ``batch`` alike) as a count of processes: 1 to :func:`max_workers`."""
    try:
        n = int(text)
    except ValueError:
        raise InputError(f"--workers must be a whole number of processes, got '{text}'") from None
    if n < 1:
        raise InputError(f"--workers must be at least 1, got {n}")
    limit = max_workers()
    if n > limit:
        raise InputError(f"--workers {n} is more than the {os.cpu_count() or 1} cores here can run at once — "
                         f"use at most {limit}")
    return n


def plan_spans(frame_count: int, fps: float, workers: int) -> list[Span]:
    """Cut ``frame_count`` frames into at most ``workers`` spans of at least ``MIN_SPAN_S`` each.

    One span (the whole source, no warm-up) when ``workers`` is 1 or the frame count is unknown
    (0). The last span runs to the end of the source whatever the container claimed.
    """
    rate = fps if fps > 0 else 30.0
    n = min(workers, frame_count // max(1, math.ceil(MIN_SPAN_S * rate))) if frame_count > 0 else 1
    if n <= 1:
        return [Span(0, None)]
    warmup = math.ceil(WARMUP_S * rate)
    bounds = [round(i * frame_count / n) for i in range(n + 1)]
    return [Span(bounds[i], bounds[i + 1] if i < n - 1 else None, warmup if i else 0) for i in range(n)]


class PoseStream:
    """Pose records of a whole source, in frame order, from one worker process per span.

    Iterate it once; :attr:`decode_errors` then holds what the workers' decoders noted. A span
    that ends short (truncated or corrupt file) ends the stream there, as reading the file from
    the start would. :meth:`close` stops any worker still running. Records carry no images.
    """

    def __init__(self, path: str, max_side: int, segmentation: bool, spans: list[Span]) -> None:
        self.path, self.spans = path, spans
        self.decode_errors: list[str] = []
        ctx = mp.get_context("spawn")  # a fresh interpreter: no inherited threads or open decoders
        self._queues: list = []
        self._procs: list = []
        cv_threads = 1 if len(spans) > 1 else 0
        try:
            for span in spans:
                q = ctx.Queue()  # records are ~1 KB each: unbounded is fine
                p = ctx.Process(target=run_span, name=f"formcheck-pose-{span.start}", daemon=True,
                                args=(path, max_side, segmentation, span, q, BATCH_FRAMES, cv_threads, os.getpid()))
                self._queues.append(q)
                self._procs.append(p)
                p.start()
        except BaseException:  # e.g. Ctrl-C while starting them: no worker may be left running
            self.close()
            raise

    def _next_message(self, i: int) -> object:
        q, p = self._queues[i], self._procs[i]
        while True:
            try:
                return q.get(timeout=WORKER_POLL_S)
            except queue.Empty:
                if p.is_alive():
                    continue
            try:  # it may have exited right after sending its last message
                return q.get(timeout=WORKER_POLL_S)
            except queue.Empty:
                span = self.spans[i]
                raise FormcheckError(f"{self.path}: the pose model's process for frames {span.start}-"
                                     f"{span.stop if span.stop is not None else 'end'} stopped unexpectedly "
                                     f"(exit code {p.exitcode}) — try again; if it persists, use --workers 1 "
                                     "or a smaller --max-side") from None

    def __iter__(self) -> Iterator[PoseRecord]:
        for i, span in enumerate(self.spans):
            while True:
                msg = self._next_message(i)
                if isinstance(msg, list):
                    yield from msg
                elif isinstance(msg, SpanEnd):
                    self.decode_errors.extend(e for e in msg.decode_errors if e not in self.decode_errors)
                    break
                elif isinstance(msg, SpanFailure):
                    if msg.exit_code is None:
                        raise RuntimeError(f"pose worker failed: {msg.message}")
                    raise FormcheckError(msg.message, exit_code=msg.exit_code)
            if span.stop is not None and msg.frames < span.stop - span.start:
                return

    def close(self) -> None:
        """Stop the workers (they are done, or the caller gave up early). They ignore stop signals and
        hold nothing worth saving: they are killed."""
        started = [p for p in self._procs if p.pid is not None]
        for p in started:
            if p.is_alive():
                p.kill()
        for p in started:
            p.join(timeout=5.0)
        for q in self._queues:
            q.close()
            q.cancel_join_thread()


class _ImageCursor:
    """Images of a source read once, in order, looked up by frame index. A frame read past the one
    asked for (the decoder skipped the asked one) is kept for the next lookup, not lost."""

    def __init__(self, frames: Iterator[Frame]) -> None:
        self._frames = frames
        self._ahead: Frame | None = None

    def image_at(self, index: int) -> np.ndarray | None:
        """The image of frame ``index`` (None when the source skipped it or ran out first)."""
        f, self._ahead = self._ahead, None
        if f is None:
            f = next(self._frames, None)
        while f is not None and f.index < index:
            f = next(self._frames, None)
        if f is None:
            return None
        if f.index > index:
            self._ahead = f
            return None
        return f.image


def run_pipeline(session: Session, source: VideoFileSource | ImageFolderSource, max_side: int, workers: int,
                 writer: ConstantRateVideo | None = None, on_frame: Callable[[int], None] | None = None,
                 estimator: PoseEstimator | None = None, key_frames: KeyFrames | None = None,
                 on_started: Callable[[], object] | None = None) -> None:
    """Judge every frame of ``source`` with ``session`` and add annotated frames to ``writer`` (if any, at
    their source times);
    offer each frame's image to ``key_frames`` (if any) for the report's stills.

    Pose runs in ``workers`` processes, or in this process with ``estimator`` when one is given
    (then ``workers`` is ignored). ``on_frame(frames judged so far)`` is called after each frame.
    ``on_started()`` is called once pose is running, before the first frame is judged: with worker
    processes, slow one-off preparation done there (an import) overlaps the ~1 s the model takes to
    load instead of delaying it.
    KeyboardInterrupt passes through after the workers are stopped; frames judged so far stay in
    ``session``. Decoding problems are added to ``source.info.decode_errors``.
    """
    spec: ExerciseSpec = session.spec
    info = source.info
    need_images = writer is not None or key_frames is not None
    stream: PoseStream | None = None
    frames: Prefetched | None = None
    images: _ImageCursor | None = None  # this process's own decoding, when records carry no image
    try:
        if estimator is not None:
            from formcheck.pose.outline import measure_back_outline

            frames = Prefetched(source.frames())
            records: Iterator[PoseRecord] = analyse(frames, estimator, measure_back_outline, 0, need_images)
        else:
            # A folder of images skips unreadable files, which would shorten a span and end the stream
            # early: images are read by one process.
            spans = plan_spans(info.frame_count, info.fps, workers if info.kind == "video" else 1)
            stream = PoseStream(info.path, max_side, spec.needs_outline, spans)
            records = iter(stream)
            if need_images:
                frames = Prefetched(source.frames())  # draw from this process's own decoding of the source
                images = _ImageCursor(frames)
        if on_started is not None:
            on_started()
        for rec in records:
            with held_stop():  # a stop signal lands between frames, never half-way through judging one
                r = session.step(rec.index, rec.t, rec.obs, rec.outline)
                if need_images:
                    image = rec.image if rec.image is not None or images is None else images.image_at(rec.index)
                    if image is not None and key_frames is not None:
                        key_frames.offer(image, r)
                    if image is not None and writer is not None:
                        writer.add(rec.t, draw_frame(image, spec, r))
                if on_frame is not None:
                    on_frame(session.n_frames)
    finally:
        if frames is not None:
            frames.close()  # this process's decoder notes its problems first, then the workers' are merged
        if stream is not None:
            stream.close()
            info.decode_errors.extend(stream.decode_errors)
        info.decode_errors[:] = list(dict.fromkeys(info.decode_errors))  # the same problem noted twice: once
