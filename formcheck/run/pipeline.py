"""The scoring pipeline's process layout: pose in worker processes, judging and drawing here.

Pose estimation is the one costly step (~19 ms per 640x480 frame on one core). It runs in worker
processes (:mod:`formcheck.pose.worker`), each decoding its own frames in a background thread,
so decoding overlaps inference. This process receives small per-frame records (landmarks, no
pixels) **in frame order** and runs the causal session logic (cleaning, signals, rules, holds,
reps) over them. When it draws (the annotated video, the report's key frames) it decodes the video
a second time itself, in a background thread: decoding a 640x480 frame costs ~0.3 ms, sending one
between processes ~3 ms (pickling and copying 0.9 MB), which would slow the pose process down.
All of this overlaps the workers' inference on the other core.

With an analysis rate (``--rate HZ``, :mod:`formcheck.media.rate`) the workers analyse only the
first frame of each ``1/HZ`` s slot and merely grab the others; the judging sees the analysed
frames with their own timestamps. The annotated video still gets every frame: a frame the model
did not see carries the overlay of the analysed frame before it (never interpolated: what is drawn
is always a verdict the session really gave). Without the annotated video this process too decodes
only the analysed frames (for the report's key frames).

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
from pathlib import Path

import numpy as np

from formcheck.errors import FormcheckError, InputError
from formcheck.exercises.spec import ExerciseSpec
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.session import Session
from formcheck.media.frame import Frame
from formcheck.media.prefetch import Prefetched
from formcheck.media.procs import held_stop
from formcheck.media.sources import ImageFolderSource, VideoFileSource, open_source
from formcheck.media.video_out import ConstantRateVideo
from formcheck.pose.base import PoseEstimator
from formcheck.pose.worker import PoseRecord, Span, SpanEnd, SpanFailure, analyse, run_span
from formcheck.report.key_frames import KeyFrames
from formcheck.report.overlay import draw_frame

WARMUP_S = 2.0  # seconds each later span starts early so tracking settles (dropped after)
MIN_SPAN_S = 6.0  # a span shorter than this is not worth a worker: fewer workers are used
BATCH_FRAMES = 8  # records per message from a worker
WORKER_POLL_S = 1.0  # how often a silent worker is checked for being alive
# --workers auto: one pose process per core, less the core this process needs to decode, draw and
# encode every frame of the annotated video; at most this many (README, Speed: at 720p with the video,
# 2 workers on 2 cores were slower than 1; more processes than cores only add switching and memory).
AUTO_MAX_WORKERS = 4


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS says, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def max_workers() -> int:
    """The most ``--workers`` accepted: the cores here (at least 2, so a two-process run works anywhere);
    more processes than cores only compete for them."""
    return max(2, os.cpu_count() or 1)


def parse_workers(text: str, write_video: bool = False) -> int:
    """The ``--workers`` value (``score`` and ``batch`` alike) as a count of processes: ``auto`` (one per
    usable core, one fewer when this process writes the annotated video, at least 1 and at most
    ``AUTO_MAX_WORKERS``) or an integer from 1 to :func:`max_workers`."""
    if text.strip().lower() == "auto":
        usable = usable_cores()
        return max(1, min(usable - 1 if write_video else usable, AUTO_MAX_WORKERS))
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

    def __init__(self, path: str, max_side: int, segmentation: bool, spans: list[Span],
                 rate: float | None = None) -> None:
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
                                args=(path, max_side, segmentation, span, q, BATCH_FRAMES, cv_threads, os.getpid(),
                                      rate))
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
            if span.stop is not None and msg.reached < span.stop:
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

    def before(self, stop: int | None) -> Iterator[Frame]:
        """The frames read with ``index < stop`` (every remaining one when ``stop`` is None)."""
        while True:
            f, self._ahead = self._ahead, None
            if f is None:
                f = next(self._frames, None)
            if f is None:
                return
            if stop is not None and f.index >= stop:
                self._ahead = f
                return
            yield f

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
                 on_started: Callable[[], object] | None = None, rate: float | None = None) -> None:
    """Judge the frames of ``source`` analysed at ``rate`` Hz (None: every frame) with ``session`` and
    add every frame, annotated, to ``writer`` (if any, at their source times; a frame not analysed
    carries the overlay of the analysed frame before it); offer each analysed frame's image to
    ``key_frames`` (if any) for the report's stills.

    Pose runs in ``workers`` processes, or in this process with ``estimator`` when one is given
    (then ``workers`` is ignored; with a rate, it should know the source's frame rate, as
    ``MediaPipePose(source_fps=...)`` does). ``on_frame(frames gone through so far)`` is called after each
    analysed frame (counting the frames skipped before it, for a progress bar over the whole source).
    ``on_started()`` is called once pose is running, before the first frame is judged: with worker
    processes, slow one-off preparation done there (an import) overlaps the ~1 s the model takes to
    load instead of delaying it.
    KeyboardInterrupt passes through after the workers are stopped; frames judged so far stay in
    ``session``. Decoding problems are added to ``source.info.decode_errors``.
    """
    spec: ExerciseSpec = session.spec
    info = source.info
    need_images = writer is not None or key_frames is not None
    draw_rate = None if writer is not None else rate  # the video needs every frame; key frames only analysed ones
    stream: PoseStream | None = None
    frames: Prefetched | None = None
    pose_frames: Prefetched | None = None  # pose in this process, from its own decoding at the rate
    images: _ImageCursor | None = None  # this process's own decoding, when records carry no image
    carried: FrameResult | None = None  # the last verdict, drawn on the frames after it that were not analysed
    try:
        if estimator is not None and rate is None:
            from formcheck.pose.outline import measure_back_outline

            frames = Prefetched(source.frames())
            records: Iterator[PoseRecord] = analyse(frames, estimator, measure_back_outline, 0, need_images)
        else:
            if estimator is not None:
                from formcheck.pose.outline import measure_back_outline

                pose_frames = Prefetched(open_source(Path(info.path), max_side=max_side).frames(rate=rate))
                records = analyse(pose_frames, estimator, measure_back_outline)
            else:
                # A folder of images skips unreadable files, which would shorten a span and end the stream
                # early: images are read by one process.
                spans = plan_spans(info.frame_count, info.fps, workers if info.kind == "video" else 1)
                stream = PoseStream(info.path, max_side, spec.needs_outline, spans, rate)
                records = iter(stream)
            if need_images:
                frames = Prefetched(source.frames(rate=draw_rate))  # draw from this process's own decoding
                images = _ImageCursor(frames)
        if on_started is not None:
            on_started()
        for rec in records:
            with held_stop():  # a stop signal lands between frames, never half-way through judging one
                if images is not None and writer is not None:
                    _write_carried(writer, images.before(rec.index), spec, carried)
                r = carried = session.step(rec.index, rec.t, rec.obs, rec.outline)
                if need_images:
                    image = rec.image if rec.image is not None or images is None else images.image_at(rec.index)
                    if image is not None and key_frames is not None:
                        key_frames.offer(image, r)
                    if image is not None and writer is not None:
                        writer.add(rec.t, draw_frame(image, spec, r))
                if on_frame is not None:
                    on_frame(rec.index + 1)
        if images is not None and writer is not None:
            _write_carried(writer, images.before(None), spec, carried)  # the frames after the last analysed one
    finally:
        for fr in (pose_frames, frames):
            if fr is not None:
                fr.close()  # this process's decoder notes its problems first, then the workers' are merged
        if stream is not None:
            stream.close()
            info.decode_errors.extend(stream.decode_errors)
        info.decode_errors[:] = list(dict.fromkeys(info.decode_errors))  # the same problem noted twice: once


def _write_carried(writer: ConstantRateVideo, frames: Iterator[Frame], spec: ExerciseSpec,
                   carried: FrameResult | None) -> None:
    """Add frames the model did not see to ``writer``, each with the overlay of ``carried`` (the verdict of
    the analysed frame before them; none before the first)."""
    for f in frames:
        writer.add(f.t, f.image if carried is None else draw_frame(f.image, spec, carried))
