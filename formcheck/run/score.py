"""``formcheck score``: run a session over a recorded video and write every output file.

Work already done is never lost: Ctrl-C, SIGTERM, SIGHUP (see :mod:`formcheck.media.procs`), a
truncated file or a corrupt frame still leave a report of what was scored, with a note saying what
happened.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from formcheck.errors import FormcheckError, NoUsableFramesError
from formcheck.exercises import load_exercise
from formcheck.judge.session import Session
from formcheck.judge.sides import Side
from formcheck.media.procs import held_stop, stop_words, tell
from formcheck.media.sources import open_source
from formcheck.media.video_out import ConstantRateVideo
from formcheck.pose.base import PoseEstimator
from formcheck.report.key_frames import KeyFrames
from formcheck.report.outputs import make_out_dir
from formcheck.report.plots import pyplot
from formcheck.run.cues import FormCues
from formcheck.run.finish import Ending, SessionOutcome, finish_session
from formcheck.run.pipeline import run_pipeline

PROGRESS_MIN_FRAMES = 150  # show a progress bar for videos longer than this


class Progress:
    """A one-line progress bar on stderr (only when asked and there are more than ``min_total`` items)."""

    def __init__(self, total: int, enabled: bool, label: str = "scoring", unit: str = "frames",
                 min_total: int = PROGRESS_MIN_FRAMES) -> None:
        self.total, self.enabled = total, enabled and total > min_total
        self.label, self.unit = label, unit
        self.tty = sys.stderr.isatty()
        self.t0 = time.monotonic()
        self.last = 0.0

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < (0.25 if self.tty else 10.0) and done < self.total:
            return
        self.last = now
        frac = min(1.0, done / self.total)
        rate = done / max(now - self.t0, 1e-6)
        eta = (self.total - done) / rate if rate > 0 else 0
        bar = "#" * int(30 * frac)
        line = f"{self.label} [{bar:<30s}] {done}/{self.total} {self.unit}  {rate:5.1f} {self.unit}/s  eta {eta:4.0f} s"
        self._say(f"\r{line}" if self.tty else f"{line}\n")

    def close(self) -> None:
        if self.enabled and self.tty:
            self._say("\n")

    def _say(self, text: str) -> None:
        """Write to stderr; once it is gone (terminal closed, pipe reader gone) the bar stops, the work goes on."""
        if not tell(sys.stderr, text):
            self.enabled = False


def run_score(video: Path, exercise: str, out_dir: Path, side: Side | None = None, max_side: int = 720,
              write_video: bool = True, progress: bool = True, estimator: PoseEstimator | None = None, workers: int = 1,
              mot: bool = False, rate: float | None = None, source_name: str | None = None,
              person: str | None = None) -> SessionOutcome:
    """Score ``video`` for ``exercise``; write report.json, frames.csv, angles.png, annotated.mp4, report.html
    (and angles.mot when ``mot``).

    Pose runs in ``workers`` processes over time spans of the video (see :mod:`formcheck.run.pipeline`),
    or in this process with ``estimator`` when one is given, on the frames analysed at ``rate`` Hz
    (None: every frame; see :mod:`formcheck.media.rate`; a folder of images: every image).
    ``source_name`` is what the report calls the video (default: its path), e.g. the client's name for
    a copy scored on a cluster worker; ``person`` who was filmed (see
    :func:`formcheck.report.person.check_person`), named in the report.
    """
    spec = load_exercise(exercise)  # a bad exercise name fails before any slow work
    source = open_source(video, max_side=max_side)
    if source.info.kind != "video":
        rate = None  # a folder of images is scored image by image: each was chosen by the user, none is skipped
    source.info.analysis_rate_hz = rate
    info = source.info if source_name is None else replace(source.info, path=source_name)  # same lists
    make_out_dir(out_dir)
    session = Session(spec, info.width, info.height, side_override=side, cues=FormCues(spec))
    keys = KeyFrames(spec)
    bar = Progress(info.frame_count, progress)
    t0 = time.monotonic()
    stop: KeyboardInterrupt | None = None
    failure: FormcheckError | None = None
    writer: ConstantRateVideo | None = None
    try:
        with held_stop():  # the encoder, once started, is always released below (its unfinished file removed)
            if write_video:
                writer = ConstantRateVideo(out_dir / "annotated.mp4", info.fps, (info.width, info.height))
        run_pipeline(session, source, max_side, workers, writer, bar.update, estimator, key_frames=keys,
                     on_started=pyplot, rate=rate)
    except KeyboardInterrupt as e:  # Ctrl-C, SIGTERM or SIGHUP (see formcheck.media.procs)
        stop = e
        session.notes.append(f"{stop_words(e)} after {session.n_frames} frames; the rest was not scored")
    except FormcheckError as e:  # a pose process died, the encoder failed: keep what was judged
        failure = e
        session.notes.append(f"scoring stopped after {session.n_frames} frames ({e}); the rest was not scored")
    finally:
        bar.close()
        if writer is not None:
            writer.close()
            if writer.failed:
                session.notes.append(f"the annotated video could not be written ({writer.failed}); the report "
                                     "covers every scored frame")
        if estimator is not None:
            estimator.close()
    elapsed = time.monotonic() - t0
    ending = Ending(stop=stop, failure=failure)
    empty = NoUsableFramesError(f"{video}: no frames could be decoded — the file is empty, truncated at the "
                                "start, or not a video")
    outcome = finish_session(session.finish(), info, out_dir, elapsed, ending, empty, key_frames=keys, mot=mot,
                             partial=stop is not None or failure is not None, person=person)
    if outcome.report is None and outcome.error is not None:
        raise outcome.error
    return outcome
