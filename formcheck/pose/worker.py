"""The pose worker process: decodes a span of a video, runs :func:`formcheck.pose.analyse.analyse`
over it and sends plain records to the parent, which does the causal judging (cleaning, signals,
rules, holds) over all spans in order.

A span after the first starts ``warmup`` frames early: those frames go through the model so its
tracking and temporal smoothing have settled by the span's first reported frame, and are then
dropped. Nothing here keeps state across frames except MediaPipe's own tracking.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.media.prefetch import Prefetched
from formcheck.media.procs import die_with_parent, ignore_stop_signals
from formcheck.media.sources import open_source
from formcheck.pose.analyse import PoseRecord, analyse


@dataclass(frozen=True)
class Span:
    """Frames ``start <= index < stop`` (``stop`` None: to the end), decoded from ``start - warmup``."""

    start: int
    stop: int | None
    warmup: int = 0

    @property
    def first_decoded(self) -> int:
        """Index of the first frame this span decodes and runs through the model."""
        return max(0, self.start - self.warmup)


@dataclass(frozen=True)
class SpanEnd:
    """Sent after a span's last record: how many frames it reported, the index decoding reached
    (one past the last frame read, analysed or not) and what decoding noted."""

    frames: int
    decode_errors: tuple[str, ...]
    reached: int = 0


@dataclass(frozen=True)
class SpanFailure:
    """Sent instead of :class:`SpanEnd` when a span could not be processed.

    ``exit_code`` is the :class:`FormcheckError` code for a problem with the input, None for an
    unexpected error (``message`` then names the exception).
    """

    message: str
    exit_code: int | None


def run_span(path: str, max_side: int, segmentation: bool, span: Span, out, batch_size: int,
             cv_threads: int, parent_pid: int, rate: float | None = None) -> None:
    """Worker-process entry: analyse ``span`` of the source at ``path`` (only the frames analysed at
    ``rate`` Hz; None: every frame) and put lists of :class:`PoseRecord` on the queue ``out``, then a
    :class:`SpanEnd` (or a :class:`SpanFailure`).

    ``cv_threads``: OpenCV's thread count here (1 when several workers share the cores, 0 = its default).
    Stop signals (Ctrl-C, SIGTERM, SIGHUP) are the parent's (``parent_pid``) to handle: it kills its
    workers when it stops, and the kernel kills them if the parent dies first.
    """
    ignore_stop_signals()
    die_with_parent(parent_pid)
    try:
        import cv2

        if cv_threads > 0:
            cv2.setNumThreads(cv_threads)
        from formcheck.pose.mediapipe_pose import MediaPipePose
        from formcheck.pose.outline import measure_back_outline

        source = open_source(Path(path), max_side=max_side)
        # At a rate, the model is told the source's frame rate so it accounts for the skipped frames.
        estimator = MediaPipePose(segmentation=segmentation, source_fps=source.info.fps if rate else None)
        reported = 0
        batch: list[PoseRecord] = []
        try:
            with Prefetched(source.frames(span.first_decoded, span.stop, rate)) as frames:
                for rec in analyse(frames, estimator, measure_back_outline if segmentation else None,
                                   span.start):
                    batch.append(rec)
                    reported += 1
                    if len(batch) >= batch_size:
                        out.put(batch)
                        batch = []
        finally:
            estimator.close()
        if batch:
            out.put(batch)
        out.put(SpanEnd(reported, tuple(source.info.decode_errors), source.frames_read))
    except FormcheckError as e:
        out.put(SpanFailure(str(e), e.exit_code))
    except Exception as e:  # reported to the parent, which raises it there
        out.put(SpanFailure(f"{type(e).__name__}: {e}", None))
