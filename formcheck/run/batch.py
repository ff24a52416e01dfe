"""``formcheck batch``: score many videos with a process pool into one folder, with a summary CSV.

Each video gets its own output folder (``OUT/<video name>``) with the files ``score`` writes, plus
``batch-input.json`` saying what the report was made from (the video's size and modification time,
the exercise definition, the options, the formcheck version). A rerun skips a video whose report
exists and whose ``batch-input.json`` still matches: the batch is resumable. One bad file never
stops the batch; its summary row says why it failed.

Exit codes (see :func:`batch_exit_code`): 0 every video has a report and no error; 1 the batch ran
but at least one video failed or could not be judged (its ``error`` column says why, also on a rerun
that finds its report current); 2 bad arguments (no video matched, unknown exercise, bad
``--workers``); 130 / 143 / 129 stopped by Ctrl-C / SIGTERM / SIGHUP.

At most ``workers`` videos are handed to the pool at a time, so a stop has nothing queued to wait
for: the videos being scored get the signal, write their partial report and are marked
``interrupted``; the ones not started are marked ``cancelled``. Pool processes ignore stop signals
except while scoring, and die with the batch process however it ends.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import json
import multiprocessing as mp
import os
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formcheck import __version__
from formcheck.errors import FormcheckError, InputError
from formcheck.exercises import load_exercise
from formcheck.media.outfiles import atomic_output, write_text_atomic
from formcheck.media.procs import (
    STOP_EXIT_CODES,
    die_with_parent,
    ignore_stop_signals,
    stop_exit_code,
    stop_on_signals,
    stop_signal,
    stop_words,
    tell,
)
from formcheck.media.sources import VIDEO_SUFFIXES
from formcheck.report.model import Report, report_from_json
from formcheck.report.outputs import make_out_dir
from formcheck.report.person import check_person
from formcheck.run.score import Progress, run_score

if TYPE_CHECKING:
    from formcheck.judge.session import SessionResult

SUMMARY_NAME = "summary.csv"
INPUT_STAMP = "batch-input.json"
BATCH_STATUSES = ("scored", "current", "failed", "interrupted", "cancelled")  # the summary's status column
COLUMNS = ("video", "status", "duration_s", "frames", "detection_rate", "holds", "best_good_form_s", "reps",
           "score", "error", "out_dir")


@dataclass(frozen=True)
class BatchJob:
    """One video to score and where its outputs go; ``stamp`` identifies what a current report was made from;
    ``person`` who is filmed (None: not named)."""

    video: Path
    out_dir: Path
    stamp: dict[str, Any]
    person: str | None = None


@dataclass(frozen=True)
class BatchOutcome:
    """Rows of the summary (one per video, in input order), where the summary was written, and when
    a stop signal ended the batch, how (``stopped``: "stopped by SIGTERM") and its exit code."""

    rows: list[dict[str, Any]]
    summary: Path
    stopped: str = ""
    stop_code: int = 0


def find_videos(inputs: list[str]) -> list[Path]:
    """The videos named by ``inputs``: a folder gives its files with a video suffix
    (``sources.VIDEO_SUFFIXES``); a glob pattern or file name gives every file it matches, so a
    damaged or mislabelled file still gets a row saying why it could not be scored."""
    found: dict[Path, None] = {}
    for text in inputs:
        p = Path(text)
        if p.is_dir():
            matches = [f for f in sorted(p.iterdir()) if f.is_file() and f.suffix.lower() in VIDEO_SUFFIXES]
        else:
            matches = [Path(m) for m in sorted(glob.glob(text, recursive=True)) if Path(m).is_file()]
        found.update((m, None) for m in matches)
    return list(found)


def output_names(videos: list[Path]) -> list[str]:
    """One output folder name per video: its file name without suffix, made unique with -2, -3, ..."""
    names: list[str] = []
    used: set[str] = set()
    for v in videos:
        name, k = v.stem, 2
        while name in used:
            name, k = f"{v.stem}-{k}", k + 1
        used.add(name)
        names.append(name)
    return names


def input_stamp(video: Path, spec_repr: str, max_side: int, write_video: bool,
                rate: float | None = None) -> dict[str, Any]:
    """What a report is made from: the video file's size and mtime, the exercise definition
    (a hash of the loaded spec), the options and formcheck's version."""
    st = video.stat()
    return {"video": str(video.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "exercise_sha1": hashlib.sha1(spec_repr.encode()).hexdigest(), "max_side": max_side,
            "video_written": write_video, "analysis_rate_hz": rate, "formcheck_version": __version__}


def current_error(job: BatchJob) -> str | None:
    """None unless ``job.out_dir`` holds a report made from exactly this input (see :func:`input_stamp`);
    then the error that run ended with ("" for none, e.g. "no person found"), so a rerun keeps it."""
    try:
        saved = json.loads((job.out_dir / INPUT_STAMP).read_text())
        if (job.out_dir / "report.json").is_file() and saved["input"] == job.stamp:
            return str(saved["error"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def summary_row(video: Path, out_dir: Path, status: str, report: Report | None, error: str) -> dict[str, Any]:
    """A summary row from a report (or only the error when there is none)."""
    row: dict[str, Any] = {c: "" for c in COLUMNS}
    row.update(video=str(video), status=status, error=error, out_dir=str(out_dir))
    if report is not None:
        best = max((h.good_form_s for h in report.holds), default=0.0)
        row.update(duration_s=report.duration_s, frames=report.frames, detection_rate=report.detection_rate,
                   holds=len(report.holds), best_good_form_s=best, reps=len(report.reps), score=report.score)
    return row


def start_pool_process(parent_pid: int) -> None:
    """Pool-process set-up: stop signals are handled only while a video is scored (:func:`score_job`),
    and the process dies with the batch process ``parent_pid``."""
    ignore_stop_signals()
    die_with_parent(parent_pid)


def score_job(job: BatchJob, exercise: str, max_side: int, write_video: bool, db: Path | None = None,
              history: bool = True, rate: float | None = None) -> dict[str, Any]:
    """Score one video (in a pool process) and record it in the history; never raises for a bad video:
    the row says what went wrong. A stop signal while scoring leaves the partial report and the row
    ``interrupted``. The input stamp is removed first and written back only when the report is
    complete and recorded, so a half-done run is never taken as current."""
    try:
        with stop_on_signals():
            return _score_job(job, exercise, max_side, write_video, db, history, rate)
    except KeyboardInterrupt as e:  # stopped outside the frame loop (before it or while recording)
        return summary_row(job.video, job.out_dir, "interrupted", None, stop_words(e))


def _score_job(job: BatchJob, exercise: str, max_side: int, write_video: bool, db: Path | None,
               history: bool, rate: float | None) -> dict[str, Any]:
    (job.out_dir / INPUT_STAMP).unlink(missing_ok=True)
    try:
        outcome = run_score(job.video, exercise, job.out_dir, max_side=max_side, write_video=write_video,
                            progress=False, workers=1, rate=rate, person=job.person)
    except FormcheckError as e:
        status = "interrupted" if e.exit_code in STOP_EXIT_CODES else "failed"
        return summary_row(job.video, job.out_dir, status, None, str(e))
    except Exception as e:  # a bug must not stop the other videos; the row names it
        return summary_row(job.video, job.out_dir, "failed", None, f"internal error: {type(e).__name__}: {e}")
    error = outcome.error
    if error is not None and error.exit_code in STOP_EXIT_CODES:
        return summary_row(job.video, job.out_dir, "interrupted", outcome.report, str(error))  # not recorded
    return record_job(job, outcome.report, outcome.result, outcome.partial, "" if error is None else str(error),
                      db, history)


def record_job(job: BatchJob, report: Report | None, result: SessionResult | None, partial: bool, error: str,
               db: Path | None, history: bool) -> dict[str, Any]:
    """After ``job``'s report files are written: record the session in the history (unless ``history``
    is False) and stamp the output folder as current for this input; the summary row. ``error`` is
    what the run ended with ("" for none)."""
    if history and report is not None and result is not None:
        from formcheck.history.store import record_finished

        try:
            record_finished(db, report, result, "score", job.out_dir, partial=partial)
        except FormcheckError as e:
            return summary_row(job.video, job.out_dir, "failed", report, str(e))  # no stamp: retried
    # The report is complete (possibly saying nobody was found): it is current for this input, and a
    # rerun reports the same error.
    write_text_atomic(job.out_dir / INPUT_STAMP, json.dumps({"input": job.stamp, "error": error}, indent=1) + "\n")
    return summary_row(job.video, job.out_dir, "failed" if error else "scored", report, error)


def write_summary(rows: list[dict[str, Any]], path: Path) -> None:
    """The summary CSV: one row per video, columns :data:`COLUMNS`."""
    with atomic_output(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def _job_row(fut: Future, job: BatchJob) -> dict[str, Any]:
    """The summary row a finished pool job returned (waiting for it), or why it has none."""
    try:
        return fut.result()
    except BrokenProcessPool:
        return summary_row(job.video, job.out_dir, "failed", None, "the scoring process crashed on this video")
    except Exception as e:  # e.g. the output folder became unwritable: this video only
        return summary_row(job.video, job.out_dir, "failed", None, f"{type(e).__name__}: {e}")


def _signal_pool(pool: ProcessPoolExecutor, signum: int) -> None:
    """Pass a stop signal on to the pool's processes (a no-op for those already stopping or idle)."""
    for proc in list(getattr(pool, "_processes", {}).values()):
        try:
            os.kill(proc.pid, signum)
        except (ProcessLookupError, TypeError):
            pass


def run_batch(inputs: list[str], exercise: str, out: Path, workers: int = 1, max_side: int = 720,
              write_video: bool = True, progress: bool = True, db: Path | None = None,
              history: bool = True, rate: float | None = None, cluster: str | None = None,
              send_videos: bool = False, person: str | None = None,
              person_from_folder: bool = False) -> BatchOutcome:
    """Score every video named by ``inputs`` into ``out/<name>/`` with ``workers`` processes at a time
    (one pose process per video: videos are the parallel unit) and write ``out/summary.csv``; each
    scored session goes into the history (``db``) unless ``history`` is False. ``rate``: the analysis
    rate in Hz (None: every frame). Reports that are current are reused, not recomputed (nor recorded again).

    With ``cluster`` (``tcp://HOST:PORT`` or ``local:N``) the videos are scored as tasks on a Dask
    cluster instead (see :mod:`formcheck.run.cluster`; ``send_videos``: the workers get the videos'
    bytes rather than their paths); everything else is the same. Every report names ``person``, or with
    ``person_from_folder`` the name of its video's folder (a folder name that is no usable name fails
    that video only)."""
    if person is not None and person_from_folder:
        raise InputError("give either --person or --person-from-folder, not both")
    target = None
    if cluster is not None:
        from formcheck.run.cluster import parse_cluster, require_distributed

        target = parse_cluster(cluster)
        require_distributed()
    elif send_videos:
        raise InputError("--send-videos only applies with --cluster")
    spec = load_exercise(exercise)  # a bad exercise fails before any video is touched
    videos = find_videos(inputs)
    if not videos:
        raise InputError(f"no video matched {' '.join(inputs)} — give a folder of videos, video files, or a quoted "
                         "glob such as 'clips/*.mp4'")
    make_out_dir(out)
    spec_repr = repr(spec)
    jobs, bad_names = [], {}
    for v, name in zip(videos, output_names(videos), strict=True):
        who = person
        if person_from_folder:
            try:
                who = check_person(v.resolve().parent.name, what=f"{v}: its folder name")
            except InputError as e:
                bad_names[v] = str(e)
        stamp = {**input_stamp(v, spec_repr, max_side, write_video, rate), "person": who}
        jobs.append(BatchJob(v, out / name, stamp, who))
    rows: dict[Path, dict[str, Any]] = {}
    todo: list[BatchJob] = []
    for job in jobs:
        if job.video in bad_names:
            rows[job.video] = summary_row(job.video, job.out_dir, "failed", None, bad_names[job.video])
            continue
        known = current_error(job)
        if known is not None:
            report = report_from_json(json.loads((job.out_dir / "report.json").read_text()))
            rows[job.video] = summary_row(job.video, job.out_dir, "failed" if known else "current", report, known)
        else:
            todo.append(job)
    summary = out / SUMMARY_NAME

    def flush() -> None:
        write_summary([rows[j.video] for j in jobs if j.video in rows], summary)

    bar = Progress(len(todo), progress, label="batch", unit="videos", min_total=0)  # current ones are not counted
    stopped, stop_code = "", 0

    def finished(job: BatchJob, row: dict[str, Any]) -> None:
        rows[job.video] = row
        flush()
        bar.update(len(rows) - (len(jobs) - len(todo)))

    if todo and target is not None:
        from formcheck.run.cluster import ScoreTask, score_on_cluster

        try:
            stopped, stop_code = score_on_cluster(todo, target, ScoreTask(exercise, max_side, write_video, rate),
                                                  send_videos, db, history, finished,
                                                  lambda line: progress and tell(sys.stderr, f"{line}\n"))
        finally:
            bar.close()
    elif todo:
        n_procs = min(workers, len(todo))
        pool = ProcessPoolExecutor(max_workers=n_procs, mp_context=mp.get_context("spawn"),
                                   initializer=start_pool_process, initargs=(os.getpid(),))
        queued = iter(todo)
        running: dict[Future, BatchJob] = {}

        def submit_next() -> None:  # one job per pool process at most: nothing waits in the pool's queue
            job = next(queued, None)
            if job is not None:
                running[pool.submit(score_job, job, exercise, max_side, write_video, db, history, rate)] = job

        try:
            for _ in range(n_procs):
                submit_next()
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = running.pop(fut)
                    finished(job, _job_row(fut, job))
                    submit_next()
        except KeyboardInterrupt as e:  # Ctrl-C, SIGTERM or SIGHUP (see formcheck.media.procs)
            stopped, stop_code = stop_words(e), stop_exit_code(e)
            _signal_pool(pool, stop_signal(e))  # a terminal's Ctrl-C reached them already: ignored there
            for fut, job in running.items():  # each writes its partial report and says "interrupted"
                rows[job.video] = _job_row(fut, job)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            bar.close()
    for job in jobs:
        rows.setdefault(job.video, summary_row(job.video, job.out_dir, "cancelled", None,
                                               f"not scored: the batch was {stopped or 'stopped'} first"))
    flush()
    return BatchOutcome([rows[j.video] for j in jobs], summary, stopped, stop_code)


def batch_exit_code(outcome: BatchOutcome) -> int:
    """0 all videos scored without error, 1 some failed (see the summary), 128 + signal number when a
    stop signal ended the batch (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP)."""
    if outcome.stop_code:
        return outcome.stop_code
    return 1 if any(r["error"] for r in outcome.rows) else 0
