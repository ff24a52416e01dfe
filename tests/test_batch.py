"""``formcheck batch`` through the real command: a folder with two short real clips and one file that
is not a video; the summary has a row per video, the bad row says why, the exit code says some
failed; a rerun reuses current reports; a changed video is scored again. Bad arguments fail with
one line and exit 2."""

from __future__ import annotations

import csv
import os
import sqlite3
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.errors import InputError
from formcheck.run.batch import output_names, run_batch
from tests.conftest import SAMPLES
from tests.test_cli_errors import assert_one_line_error, formcheck, write_video


def cut_clip(src: Path, dst: Path, n: int) -> Path:
    """The first ``n`` frames of ``src``, downscaled to 320x240, as a new mp4."""
    cap = cv2.VideoCapture(str(src))
    wr = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), cap.get(cv2.CAP_PROP_FPS), (320, 240))
    for _ in range(n):
        ok, img = cap.read()
        assert ok
        wr.write(cv2.resize(img, (320, 240), interpolation=cv2.INTER_AREA))
    wr.release()
    cap.release()
    return dst


def read_summary(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as fh:
        return {Path(r["video"]).name: r for r in csv.DictReader(fh)}


@pytest.mark.slow
def test_batch_summary_bad_file_and_resume(tmp_path):
    clips = tmp_path / "clips"
    clips.mkdir()
    cut_clip(SAMPLES / "bridge_reps_sag.mp4", clips / "a_bridge.mp4", 45)
    cut_clip(SAMPLES / "supported_bridge_drop.mp4", clips / "b_supported.mp4", 45)
    (clips / "c_broken.mp4").write_text("this is a text file, not a video\n")
    (clips / "notes.txt").write_text("not picked from a folder: no video suffix\n")

    p = formcheck("batch", "clips", "-e", "bridge", "--out", "out", "--workers", "2", "--no-video", cwd=tmp_path)
    assert_one_line_error(p, 1, "1 of 3 videos failed", "c_broken.mp4", "summary.csv")
    rows = read_summary(tmp_path / "out/summary.csv")
    assert sorted(rows) == ["a_bridge.mp4", "b_supported.mp4", "c_broken.mp4"]
    bad = rows["c_broken.mp4"]
    assert bad["status"] == "failed" and "not a readable video" in bad["error"] and bad["score"] == ""
    for name in ("a_bridge.mp4", "b_supported.mp4"):
        r = rows[name]
        assert r["status"] == "scored" and r["error"] == ""
        assert int(r["frames"]) == 45 and float(r["duration_s"]) == pytest.approx(3.0, abs=0.1)
        assert float(r["detection_rate"]) > 0.9
        assert (tmp_path / r["out_dir"] / "report.json").is_file()
    report_a = tmp_path / "out/a_bridge/report.json"
    mtime = report_a.stat().st_mtime_ns
    assert history_sources() == ["a_bridge.mp4", "b_supported.mp4"]  # two pool processes, both rows landed

    # Rerun: both reports are current and reused untouched; the bad file is tried again.
    p = formcheck("batch", str(clips / "*.mp4"), "-e", "bridge", "--out", "out", "--no-video", cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    rows2 = read_summary(tmp_path / "out/summary.csv")
    assert rows2["a_bridge.mp4"]["status"] == rows2["b_supported.mp4"]["status"] == "current"
    assert rows2["a_bridge.mp4"]["score"] == rows["a_bridge.mp4"]["score"]
    assert report_a.stat().st_mtime_ns == mtime

    # A changed video is not current any more; removing the bad file makes the batch succeed.
    st = (clips / "b_supported.mp4").stat()
    os.utime(clips / "b_supported.mp4", ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    (clips / "c_broken.mp4").unlink()
    p = formcheck("batch", "clips", "-e", "bridge", "--out", "out", "--no-video", "-q", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    rows3 = read_summary(tmp_path / "out/summary.csv")
    assert rows3["a_bridge.mp4"]["status"] == "current" and rows3["b_supported.mp4"]["status"] == "scored"
    assert "c_broken.mp4" not in rows3
    assert history_sources() == ["a_bridge.mp4", "b_supported.mp4", "b_supported.mp4"]  # current ones not again


def history_sources() -> list[str]:
    """Video names of the sessions in this test's history database (FORMCHECK_DB, set by conftest)."""
    with sqlite3.connect(os.environ["FORMCHECK_DB"]) as db:
        return sorted(Path(r[0]).name for r in db.execute("SELECT source FROM sessions"))


def test_batch_with_nothing_matching(tmp_path):
    p = formcheck("batch", "nothing/*.mp4", "-e", "bridge", "--out", "out", cwd=tmp_path)
    assert_one_line_error(p, 2, "no video matched", "nothing/*.mp4")


def test_batch_empty_folder_and_folder_without_videos(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("no video here")
    for folder in ("empty", "docs"):
        with pytest.raises(InputError, match="no video matched"):
            run_batch([str(tmp_path / folder)], "bridge", tmp_path / "out")


def test_batch_unknown_exercise_fails_before_any_video(tmp_path):
    (tmp_path / "x.mp4").write_text("x")
    p = formcheck("batch", "x.mp4", "-e", "cartwheel", "--out", "out", cwd=tmp_path)
    assert_one_line_error(p, 2, "unknown exercise 'cartwheel'")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_rerun_keeps_a_no_person_video_failed(tmp_path):
    """Nobody in the video: the row fails (exit 1); a rerun reuses the report but not as a success."""
    rng = np.random.default_rng(0)
    frames = [cv2.GaussianBlur(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8), (9, 9), 3) for _ in range(20)]
    write_video(tmp_path / "wall.mp4", frames)
    for run in ("first", "rerun"):
        p = formcheck("batch", "wall.mp4", "-e", "bridge", "--out", "out", "--no-video", cwd=tmp_path)
        assert_one_line_error(p, 1, "1 of 1 videos failed", "no person found")
        row = read_summary(tmp_path / "out/summary.csv")["wall.mp4"]
        assert row["status"] == "failed" and "no person found" in row["error"], (run, row)
        if run == "first":
            mtime = (tmp_path / "out/wall/report.json").stat().st_mtime_ns
    assert (tmp_path / "out/wall/report.json").stat().st_mtime_ns == mtime  # reused, not scored again


@pytest.mark.parametrize("command,value,needle", [("score", "0", "at least 1"), ("batch", "lots", "whole number"),
                                                  ("score", "99", "use at most"), ("batch", "99", "use at most")])
def test_bad_workers_values_on_the_command_line(tmp_path, command, value, needle):
    args = ["x.mp4", "-e", "bridge", "--workers", value] + (["--out", "out"] if command == "batch" else [])
    p = formcheck(command, *args, cwd=tmp_path)
    assert_one_line_error(p, 2, "--workers", needle)


def test_output_folder_names_are_unique():
    names = output_names([Path("a/clip.mp4"), Path("b/clip.mp4"), Path("b/clip.mov"), Path("c/other.mp4")])
    assert names == ["clip", "clip-2", "clip-3", "other"]
