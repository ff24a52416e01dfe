"""``formcheck batch --cluster`` on a real Dask cluster: a ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1 (free ports), each worker in its own working folder with its own temporary
folder. The cluster batch gives the same summary rows and report.json contents as the local batch;
a worker killed (SIGKILL) while it scores does not cost a video; with ``--send-videos`` workers that
cannot see the client's (relative) paths still score them. Every batch takes the person from the
clips' folder (a Unicode name): reports and history name it. Bad ``--cluster`` use fails with one line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import REPO, SAMPLES
from tests.media import ffmpeg
from tests.test_batch import read_summary
from tests.test_cli_errors import assert_one_line_error, formcheck

pytest.importorskip("distributed", reason="needs Dask distributed: pip install -e '.[test]'")

# (sample, start s): four 3 s clips of a lunge hold, left and right
CLIPS = {"a_left": ("lunge_left_no_tilt", 2.0), "b_left": ("lunge_left_no_tilt", 5.0),
         "c_right": ("lunge_right_ppt", 2.0), "d_right": ("lunge_right_ppt", 5.0)}
EXERCISE = "kneeling-hip-flexor"
PERSON = "Zoë 李"  # the clips' folder: every batch here takes the person from it (--person-from-folder)
VOLATILE = ("processing_s",)  # report.json fields that depend on the run, not the video
SCHEMA = json.loads((REPO / "formcheck/report/report_schema.json").read_text())


@dataclass
class DaskCluster:
    """A scheduler address and its worker processes, each with the folder it runs in (cwd and TMPDIR)."""

    address: str
    workers: list[subprocess.Popen]
    folders: list[Path]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


@contextmanager
def running_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    """A real scheduler and two one-thread workers, killed (with anything they started) at the end."""
    from distributed import Client

    env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1")
    address = f"tcp://127.0.0.1:{free_port()}"
    procs = [_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                     "--no-dashboard"], tmp_path_factory.mktemp("scheduler"), env)]
    folders = [tmp_path_factory.mktemp(f"worker{i}") for i in range(2)]
    try:
        for folder in folders:
            procs.append(_start(["distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1",
                                 "--no-nanny", "--host", "127.0.0.1", "--no-dashboard", "--local-directory",
                                 str(folder)], folder, dict(env, TMPDIR=str(folder))))
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield DaskCluster(address, procs[1:], folders)
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    """A cluster shared by the tests that leave it whole (its workers have the pose model loaded after the first)."""
    with running_cluster(tmp_path_factory) as cluster:
        yield cluster


@pytest.fixture
def own_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    """A cluster for one test, which may kill its workers."""
    with running_cluster(tmp_path_factory) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding ``PERSON/`` (the four short clips, 320 px wide) and ``local/``, the local batch of them."""
    root = tmp_path_factory.mktemp("cluster")
    (root / PERSON).mkdir()
    for name, (sample, start) in CLIPS.items():
        ffmpeg("-ss", f"{start}", "-i", SAMPLES / f"{sample}.mp4", "-t", "3", "-vf", "scale=320:-2", "-an",
               root / PERSON / f"{name}.mp4")
    p = formcheck("batch", PERSON, "-e", EXERCISE, "--out", "local", "--workers", "2", "--no-video",
                  "--no-history", "-q", "--person-from-folder", cwd=root)
    assert p.returncode == 0, p.stderr
    return root


def assert_same_as_local(root: Path, out: str) -> None:
    """``root/out`` holds the same summary rows (but the folder) and report.json contents as ``root/local``."""
    local, remote = read_summary(root / "local/summary.csv"), read_summary(root / out / "summary.csv")
    assert sorted(remote) == sorted(local) == [f"{n}.mp4" for n in CLIPS]
    for name, row in local.items():
        assert {**remote[name], "out_dir": ""} == {**row, "out_dir": ""}
        assert row["status"] == "scored" and int(row["frames"]) == 45
        a, b = (json.loads((root / d / Path(name).stem / "report.json").read_text()) for d in ("local", out))
        jsonschema.validate(b, SCHEMA)
        for key in VOLATILE:
            a.pop(key), b.pop(key)
        assert a == b and b["person"] == PERSON
        assert PERSON in (root / out / Path(name).stem / "report.html").read_text(encoding="utf-8")
    assert {r["holds"] for r in local.values()} != {"0"}, "the clips should hold something worth comparing"


@pytest.mark.slow
def test_cluster_batch_matches_local_batch_and_resumes(clips, dask_cluster, history_db):
    p = formcheck("batch", PERSON, "-e", EXERCISE, "--out", "remote", "--no-video", "--person-from-folder",
                  "--cluster", dask_cluster.address, cwd=clips)
    assert p.returncode == 0, p.stderr
    assert "4 scored" in p.stdout and "Traceback" not in p.stderr
    assert_same_as_local(clips, "remote")
    assert not list((clips / "remote").glob("*/.*part-*")), "no temporary file is left"
    import sqlite3

    with sqlite3.connect(history_db) as conn:
        sessions = sorted(conn.execute("SELECT source, person FROM sessions").fetchall())
    assert sessions == [(f"{PERSON}/{n}.mp4", PERSON) for n in CLIPS]  # recorded by the client, as it knows them
    again = formcheck("batch", PERSON, "-e", EXERCISE, "--out", "remote", "--no-video", "--person-from-folder",
                      "--cluster", dask_cluster.address, cwd=clips)
    assert again.returncode == 0 and "4 already current" in again.stdout, again.stdout + again.stderr


@pytest.mark.slow
def test_worker_killed_while_scoring_loses_no_video(clips, own_cluster, tmp_path):
    dask_cluster = own_cluster
    batch = subprocess.Popen([sys.executable, "-m", "formcheck", "batch", str(clips / PERSON), "-e", EXERCISE,
                              "--out", str(tmp_path / "out"), "--no-video", "--no-history", "-q", "--cluster",
                              dask_cluster.address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim, folder = dask_cluster.workers[0], dask_cluster.folders[0]
    deadline = time.monotonic() + 120
    while not list(folder.glob("formcheck-task-*")):  # the task's scratch folder: it is scoring now
        assert batch.poll() is None and time.monotonic() < deadline, "the first worker never started a video"
        time.sleep(0.01)
    os.killpg(victim.pid, signal.SIGKILL)
    out, err = batch.communicate(timeout=300)
    assert batch.returncode == 0, err
    rows = read_summary(tmp_path / "out/summary.csv")
    assert sorted(rows) == [f"{n}.mp4" for n in CLIPS]
    assert all(r["status"] == "scored" and r["error"] == "" for r in rows.values()), rows
    assert victim.wait() == -signal.SIGKILL


@pytest.mark.slow
def test_send_videos_to_workers_that_cannot_see_them(clips, dask_cluster):
    for folder in dask_cluster.folders:
        assert not (folder / PERSON).exists()  # the client's relative paths mean nothing there
    p = formcheck("batch", *(f"{PERSON}/{n}.mp4" for n in CLIPS), "-e", EXERCISE, "--out", "sent", "--no-video",
                  "--no-history", "--person-from-folder", "--send-videos", "--cluster", dask_cluster.address, cwd=clips)
    assert p.returncode == 0, p.stderr
    assert_same_as_local(clips, "sent")


@pytest.mark.slow
def test_ctrl_c_cancels_what_is_on_the_cluster_and_keeps_what_finished(clips, dask_cluster, tmp_path):
    out = tmp_path / "out"
    batch = subprocess.Popen([sys.executable, "-m", "formcheck", "batch", str(clips / PERSON), "-e", EXERCISE,
                              "--out", str(out), "--no-video", "--no-history", "-q", "--cluster",
                              dask_cluster.address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("*/report.json")):  # the first video is back
        assert batch.poll() is None and time.monotonic() < deadline, batch.stderr.read() if batch.stderr else ""
        time.sleep(0.01)
    batch.send_signal(signal.SIGINT)
    _, err = batch.communicate(timeout=120)
    assert batch.returncode == 130, err
    assert_one_line_error(subprocess.CompletedProcess([], 130, "", err), 130, "interrupted (Ctrl-C)")
    rows = read_summary(out / "summary.csv")
    status = {name: r["status"] for name, r in rows.items()}
    assert sorted(status) == [f"{n}.mp4" for n in CLIPS]
    assert set(status.values()) == {"scored", "cancelled"}, status  # some finished, some were still out there
    for name, s in status.items():
        assert (out / Path(name).stem / "report.json").is_file() == (s == "scored")


def test_cluster_option_errors(tmp_path):
    (tmp_path / "v.mp4").write_bytes(b"")
    bad = formcheck("batch", "v.mp4", "-e", EXERCISE, "--out", "o", "--cluster", "somewhere", cwd=tmp_path)
    assert_one_line_error(bad, 2, "--cluster", "tcp://HOST:8786")
    none = formcheck("batch", "v.mp4", "-e", EXERCISE, "--out", "o", "--cluster", "local:0", cwd=tmp_path)
    assert_one_line_error(none, 2, "local:N")
    alone = formcheck("batch", "v.mp4", "-e", EXERCISE, "--out", "o", "--send-videos", cwd=tmp_path)
    assert_one_line_error(alone, 2, "--send-videos only applies with --cluster")
    # Without Dask distributed installed (hidden from this interpreter): one line saying how to install it.
    hide = ("import sys; sys.modules['distributed'] = None; sys.argv = ['formcheck'] + sys.argv[1:]; "
            "from formcheck.cli import main; main()")
    missing = subprocess.run([sys.executable, "-c", hide, "batch", "v.mp4", "-e", EXERCISE, "--out", "o",
                              "--cluster", "local:2"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert_one_line_error(missing, 2, 'pip install "formcheck[cluster]"')
    assert not (tmp_path / "o").exists()
