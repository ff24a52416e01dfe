"""``formcheck batch --cluster``: score the batch's videos as tasks on a Dask distributed cluster.

The client (this process) submits one task per video with :meth:`distributed.Client.submit`; a
worker scores the video into a temporary folder and returns the output files as bytes with the
report and the judged session (:class:`RemoteScore`). The client writes the files into the video's
output folder (each atomically, see :mod:`formcheck.media.outfiles`), records the history and the
summary row exactly as the local batch does (:func:`formcheck.run.batch.record_job`).

* The video is read by the worker from its absolute path (shared storage), or with ``send_videos``
  the client sends its bytes with the task.
* A task raising an unexpected exception is retried once (``retries=1``). A worker dying mid-video
  makes the scheduler run the task on another worker; after the number of deaths its
  ``distributed.scheduler.allowed-failures`` setting allows (set to 1 for ``local:N`` clusters, so a
  second death ends it) the video is marked failed with the reason. Scored videos are never lost.
* At most twice as many videos as the cluster has worker threads are submitted at a time, so a stop
  (Ctrl-C, SIGTERM, SIGHUP) has little to cancel: the videos still on the cluster are cancelled (their
  results are not waited for; the summary says ``cancelled``), finished ones are kept.

``distributed`` is an optional dependency (``pip install "formcheck[cluster]"``), imported only here
and only when ``--cluster`` is given.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formcheck.errors import FormcheckError, InputError
from formcheck.media.outfiles import write_bytes_atomic
from formcheck.media.procs import held_stop, stop_exit_code, stop_words
from formcheck.report.outputs import make_out_dir

if TYPE_CHECKING:
    from formcheck.judge.session import SessionResult
    from formcheck.report.model import Report
    from formcheck.run.batch import BatchJob

LOCAL_PREFIX = "local:"
INSTALL_HINT = ('--cluster needs Dask distributed, which is not installed — install it with: '
                'pip install "formcheck[cluster]"')
TASKS_PER_THREAD = 2  # videos submitted at a time per worker thread: workers never wait, a stop cancels little
CONNECT_TIMEOUT_S = 20.0
LOCAL_ALLOWED_FAILURES = 1  # a video whose worker died twice is failed (the first death is retried)


@dataclass(frozen=True)
class ClusterTarget:
    """Where to score: a scheduler ``address`` (``tcp://host:8786``), or ``local_workers`` > 0 for a
    LocalCluster started here with that many one-thread worker processes."""

    address: str = ""
    local_workers: int = 0


@dataclass(frozen=True)
class ScoreTask:
    """What every task needs besides its video: the exercise and the ``score`` options."""

    exercise: str
    max_side: int
    write_video: bool
    rate: float | None = None  # analysis rate, Hz (None: every frame)


@dataclass(frozen=True)
class RemoteScore:
    """A worker's result for one video: the output files (name -> bytes), the report and judged session
    (None when the video could not be scored), whether the run stopped early, and the error it ended
    with ("" for none)."""

    files: dict[str, bytes]
    report: Report | None
    result: SessionResult | None
    partial: bool
    error: str


def parse_cluster(text: str) -> ClusterTarget:
    """``--cluster``: ``local:N`` (N one-thread workers started here) or a scheduler address
    (``tcp://HOST:PORT``, ``tls://...``); anything else is a one-line :class:`InputError`."""
    if text.startswith(LOCAL_PREFIX):
        count = text[len(LOCAL_PREFIX):]
        if not count.isdigit() or int(count) < 1:
            raise InputError(f"--cluster local:N needs a whole number of workers (1 or more), got '{text}'")
        return ClusterTarget(local_workers=int(count))
    if "://" not in text or not text.split("://", 1)[1]:
        raise InputError(f"--cluster must be a Dask scheduler address such as tcp://HOST:8786, or local:N, "
                         f"got '{text}'")
    return ClusterTarget(address=text)


def require_distributed() -> None:
    """Fail with one line saying how to install Dask distributed when it is missing (exit 2)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(INSTALL_HINT) from None


def score_remote(video: str, data: bytes | None, name: str, out_name: str, person: str | None,
                 task: ScoreTask) -> RemoteScore:
    """Worker side: score one video (``video``, a path this worker can read, or ``data``, its bytes)
    of ``person`` into a temporary folder and return the output files; ``name`` and ``out_name`` are
    the client's names for the video and its output folder, used in the report and messages. Never
    raises for a bad video (the error is in the result). Pose runs in this process (worker processes
    may not start their own)."""
    from formcheck.exercises import load_exercise
    from formcheck.media.sources import open_source
    from formcheck.pose.mediapipe_pose import MediaPipePose
    from formcheck.run.score import run_score

    with tempfile.TemporaryDirectory(prefix="formcheck-task-") as tmp:
        path = Path(video)
        if data is not None:
            path = Path(tmp) / f"input{Path(name).suffix}"
            path.write_bytes(data)
        out = Path(tmp) / "out"
        try:
            spec = load_exercise(task.exercise)
            # At a rate the model is told the source's frame rate, as the local pose workers do.
            fps = open_source(path, max_side=task.max_side).info.fps if task.rate else None
            estimator = MediaPipePose(segmentation=spec.needs_outline, source_fps=fps)
            outcome = run_score(path, task.exercise, out, max_side=task.max_side, write_video=task.write_video,
                                progress=False, estimator=estimator, source_name=name, person=person,
                                rate=task.rate)
        except FormcheckError as e:
            return RemoteScore({}, None, None, False, _client_words(str(e), path, name, out, out_name))
        files = {f.name: f.read_bytes() for f in sorted(out.iterdir()) if f.is_file()}
        error = "" if outcome.error is None else _client_words(str(outcome.error), path, name, out, out_name)
        return RemoteScore(files, outcome.report, outcome.result, outcome.partial, error)


def _client_words(message: str, path: Path, name: str, out: Path, out_name: str) -> str:
    """A worker's message with its temporary paths replaced by the client's names for them."""
    return message.replace(str(out), out_name).replace(str(path), name)


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write a worker's output files into ``out_dir``, each atomically. A name that is not a plain file
    name (a path, ``..``) is refused: nothing a worker sends lands outside ``out_dir``."""
    make_out_dir(out_dir)
    for name, data in files.items():
        if Path(name).name != name or name in ("", ".", ".."):
            raise InputError(f"{out_dir}: a worker sent an output file named {name!r}, which is not a plain "
                             "file name — refused")
        write_bytes_atomic(out_dir / name, data)


@contextmanager
def open_client(target: ClusterTarget) -> Iterator[Any]:
    """A :class:`distributed.Client` connected to ``target`` (starting and finally closing a LocalCluster
    for ``local:N``); an unreachable scheduler is a one-line :class:`InputError`."""
    require_distributed()
    import dask
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.CRITICAL)  # its own warnings would break the one-line rule
    if target.local_workers:
        with dask.config.set({"distributed.scheduler.allowed-failures": LOCAL_ALLOWED_FAILURES}), \
                LocalCluster(n_workers=target.local_workers, threads_per_worker=1, processes=True,
                             dashboard_address=":0") as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(target.address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as e:
        raise InputError(f"could not reach the Dask scheduler at {target.address} ({e}) — check the address and "
                         "that `dask scheduler` runs there") from None
    try:
        yield client
    finally:
        client.close()


def dashboard_link(client: Any) -> str:
    """The Dask dashboard's address, "" when the scheduler serves none (bokeh not installed)."""
    try:
        if "dashboard" not in client.scheduler_info().get("services", {}):
            return ""
        return str(client.dashboard_link)
    except Exception:  # the link is a convenience: never a reason to stop
        return ""


def _worker_threads(client: Any) -> int:
    workers = client.scheduler_info().get("workers", {})
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))


def _task_row(job: BatchJob, fut: Any, db: Path | None, history: bool) -> dict[str, Any]:
    """The summary row of a finished task: its files written and the session recorded, or why it failed."""
    from distributed import KilledWorker

    from formcheck.run.batch import INPUT_STAMP, record_job, summary_row

    try:
        res: RemoteScore = fut.result()
    except KilledWorker:
        return summary_row(job.video, job.out_dir, "failed", None, "the cluster workers scoring this video died "
                           "(tried on another worker too) — see the workers' logs; rerun the batch to retry it")
    except Exception as e:  # raised in the task twice (retries), or lost with the cluster
        return summary_row(job.video, job.out_dir, "failed", None, f"on the cluster: {type(e).__name__}: {e}")
    (job.out_dir / INPUT_STAMP).unlink(missing_ok=True)
    if res.report is None:
        return summary_row(job.video, job.out_dir, "failed", None, res.error)
    try:
        write_outputs(job.out_dir, res.files)
    except FormcheckError as e:
        return summary_row(job.video, job.out_dir, "failed", None, str(e))
    return record_job(job, res.report, res.result, res.partial, res.error, db, history)


def score_on_cluster(jobs: list[BatchJob], target: ClusterTarget, task: ScoreTask, send_videos: bool,
                     db: Path | None, history: bool, on_row: Callable[[BatchJob, dict[str, Any]], None],
                     say: Callable[[str], object]) -> tuple[str, int]:
    """Score ``jobs`` on the cluster, calling ``on_row(job, row)`` as each finishes (in finishing order);
    ``say`` gets the dashboard link. Returns how a stop signal ended it and its exit code ("", 0 for
    none); on a stop, the videos still on the cluster (queued or being scored) get no row."""
    from distributed import as_completed

    from formcheck.run.batch import summary_row

    with open_client(target) as client:
        link = dashboard_link(client)
        if link:
            say(f"Dask dashboard: {link}")
        queued = iter(jobs)
        running: dict[Any, BatchJob] = {}
        finished = as_completed()

        def submit_next() -> None:
            while (job := next(queued, None)) is not None:
                try:
                    data = job.video.read_bytes() if send_videos else None
                except OSError as e:
                    on_row(job, summary_row(job.video, job.out_dir, "failed", None,
                                            f"{job.video}: could not be read to send it ({e.strerror or e})"))
                    continue
                where = str(job.video) if send_videos else str(job.video.resolve())  # sent: the path is a name
                fut = client.submit(score_remote, where, data, str(job.video), str(job.out_dir), job.person, task,
                                    key=f"formcheck-{job.out_dir.name}-{secrets.token_hex(4)}", pure=False,
                                    retries=1)
                running[fut] = job
                finished.add(fut)
                return

        try:
            for _ in range(TASKS_PER_THREAD * _worker_threads(client)):
                submit_next()
            for fut in finished:
                job = running.pop(fut)
                with held_stop():  # a returned video is written, recorded and summarised whole, or not at all
                    on_row(job, _task_row(job, fut, db, history))
                submit_next()
        except KeyboardInterrupt as e:  # Ctrl-C, SIGTERM or SIGHUP (see formcheck.media.procs)
            client.cancel(list(running))  # their results are not waited for: no row, the batch says cancelled
            return stop_words(e), stop_exit_code(e)
    return "", 0
