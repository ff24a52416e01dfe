"""Bad input: each gives one clear line naming the problem and a non-zero exit code — never a
traceback — or, where part of the video is usable, a report saying what could not be judged.

Runs the real command (``python -m formcheck``) on real files made here with OpenCV.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.errors import ExerciseFileError, InputError
from formcheck.exercises import load_exercise
from tests.conftest import SAMPLES


def formcheck(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formcheck", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def assert_one_line_error(proc: subprocess.CompletedProcess, code: int, *needles: str) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("formcheck: error:")]
    assert len(errors) == 1, proc.stderr
    for n in needles:
        assert n in errors[0], errors[0]
    return errors[0]


def write_video(path: Path, frames: list[np.ndarray], fourcc: str = "mp4v", fps: float = 30.0) -> Path:
    h, w = frames[0].shape[:2]
    wr = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    for f in frames:
        wr.write(f)
    wr.release()
    return path


def real_frames(real: Path, start_s: float, n: int, size=(360, 640)) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(real / "videos/lunge/kneeling_hip_flexor_stretch_portrait.mp4"))
    cap.set(cv2.CAP_PROP_POS_MSEC, start_s * 1000)
    out = []
    for _ in range(n):
        ok, img = cap.read()
        assert ok
        out.append(cv2.resize(img, size))
    return out


def test_missing_file(tmp_path):
    p = formcheck("score", str(tmp_path / "nope.mp4"), "-e", "bridge", cwd=tmp_path)
    assert_one_line_error(p, 2, "nope.mp4", "file not found")


def test_not_a_video(tmp_path):
    (tmp_path / "notes.mp4").write_text("these are my notes, not a video\n")
    p = formcheck("score", "notes.mp4", "-e", "bridge", cwd=tmp_path)
    assert_one_line_error(p, 2, "notes.mp4", "not a readable video")


def test_empty_file(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    p = formcheck("score", "empty.mp4", "-e", "bridge", cwd=tmp_path)
    assert_one_line_error(p, 3, "empty.mp4", "empty")


def test_zero_frames(tmp_path):
    # An AVI cut inside its header: it opens, but not one frame decodes.
    frames = [np.full((240, 320, 3), 128, np.uint8)] * 10
    full = write_video(tmp_path / "full.avi", frames, "MJPG").read_bytes()
    first_frame = full.index(b"00dc", full.index(b"movi"))  # the first frame chunk
    (tmp_path / "zero.avi").write_bytes(full[: first_frame + 8])
    p = formcheck("score", "zero.avi", "-e", "bridge", "--out", "o", cwd=tmp_path)
    assert_one_line_error(p, 3, "zero.avi", "no frames could be decoded")


def test_no_person(tmp_path):
    rng = np.random.default_rng(0)
    frames = [cv2.GaussianBlur(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8), (9, 9), 3) for _ in range(20)]
    write_video(tmp_path / "wall.mp4", frames)
    p = formcheck("score", "wall.mp4", "-e", "bridge", "--out", "o", cwd=tmp_path)
    assert_one_line_error(p, 3, "wall.mp4", "no person found")
    report = json.loads((tmp_path / "o/report.json").read_text())
    assert report["detection_rate"] == 0 and report["holds"] == [] and report["reps"] == []


def test_unknown_exercise_fails_before_reading_the_video(tmp_path):
    p = formcheck("score", "missing.mp4", "-e", "cartwheel", cwd=tmp_path)
    assert_one_line_error(p, 2, "unknown exercise 'cartwheel'", "kneeling-hip-flexor")


def test_bad_side_option(tmp_path):
    p = formcheck("score", "x.mp4", "-e", "bridge", "--side", "middle", cwd=tmp_path)
    assert_one_line_error(p, 2, "--side")


MALFORMED = {
    "syntax.toml": ("name = \"x\"\nmode = [", "not valid TOML"),
    "missing.toml": ("name = \"x\"\ntitle = \"X\"\nmode = \"hold\"\n", "key 'target_s': missing"),
    "badtype.toml": ("name = \"x\"\ntitle = \"X\"\nmode = \"hold\"\ntarget_s = \"thirty\"\n",
                     "key 'target_s': must be a float"),
    "badsignal.toml": ("name = \"x\"\ntitle = \"X\"\nmode = \"hold\"\ntarget_s = 30\n"
                       "[[position]]\nid = \"a\"\nsignal = \"wrist_flex.left\"\nmin = 1\n",
                       "key 'position[0].signal': unknown signal 'wrist_flex.left'"),
    "badrange.toml": ("name = \"x\"\ntitle = \"X\"\nmode = \"hold\"\ntarget_s = 30\n"
                      "[[position]]\nid = \"a\"\nsignal = \"knee.front\"\nmin = 100\nmax = 50\n",
                      "min (100.0) must be below max (50.0)"),
    "unknownkey.toml": ("name = \"x\"\ntitle = \"X\"\nmode = \"hold\"\ntarget_s = 30\ncolour = \"red\"\n",
                        "key 'colour': unknown key"),
}


@pytest.mark.parametrize("fname", sorted(MALFORMED))
def test_malformed_exercise_file_names_file_and_key(tmp_path, fname):
    text, needle = MALFORMED[fname]
    path = tmp_path / fname
    path.write_text(text)
    with pytest.raises(ExerciseFileError) as e:
        load_exercise(str(path))
    assert str(path) in str(e.value) and needle in str(e.value)


def test_malformed_exercise_file_on_the_command_line(tmp_path):
    (tmp_path / "bad.toml").write_text(MALFORMED["badtype.toml"][0])
    p = formcheck("explain", "bad.toml", cwd=tmp_path)
    assert_one_line_error(p, 4, "bad.toml", "target_s")


def test_unknown_exercise_in_python_api():
    with pytest.raises(InputError, match="unknown exercise"):
        load_exercise("cartwheel")


@pytest.mark.slow
def test_truncated_video_still_reports_what_was_scored(tmp_path, real_data):
    full = write_video(tmp_path / "k.avi", real_frames(real_data, 5.0, 90), "MJPG").read_bytes()
    (tmp_path / "cut.avi").write_bytes(full[: len(full) // 2])
    p = formcheck("score", "cut.avi", "-e", "kneeling-hip-flexor", "--out", "o", "--no-video", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    report = json.loads((tmp_path / "o/report.json").read_text())
    assert 20 < report["frames"] < 90
    assert any("truncated or corrupt" in n for n in report["notes"])
    assert "truncated or corrupt" in p.stdout


@pytest.mark.slow
def test_person_partly_out_of_frame_is_not_judged_not_guessed(tmp_path, real_data):
    # Keep only the top 40% of the picture: head and shoulders in, hips-to-feet out.
    frames = [f[: int(0.4 * f.shape[0])] for f in real_frames(real_data, 5.0, 60)]
    write_video(tmp_path / "top.mp4", frames)
    p = formcheck("score", "top.mp4", "-e", "kneeling-hip-flexor", "--out", "o", "--no-video", cwd=tmp_path)
    report = json.loads((tmp_path / "o/report.json").read_text())
    assert report["holds"] == []
    if p.returncode == 0:
        assert any("out of frame" in n for n in report["notes"]), report["notes"]
    else:
        assert_one_line_error(p, 3, "no person found")


@pytest.mark.slow
def test_encoder_failure_loses_the_video_not_the_report(tmp_path, small_disk):
    """annotated.mp4 (~1.5 MB) on a 600 KB disk where the reports (~300 KB) fit: the video fails and
    its half file is removed, every frame is still scored and reported, with a note."""
    disk = small_disk(600 * 1024)
    out = disk.folder
    clip = SAMPLES / "bridge_reps_sag.mp4"
    p = subprocess.run([sys.executable, "-m", "formcheck", "score", str(clip), "-e", "bridge", "--out", str(out),
                        "--no-history", "-q"], capture_output=True, text=True, cwd=tmp_path, timeout=600,
                       preexec_fn=disk.preexec)
    assert p.returncode == 0, p.stderr
    report = json.loads((out / "report.json").read_text())
    frames = int(cv2.VideoCapture(str(clip)).get(cv2.CAP_PROP_FRAME_COUNT))
    assert report["frames"] == frames and report["reps"]
    assert any("annotated video could not be written" in n for n in report["notes"])
    assert sorted(f.name for f in out.iterdir()) == ["angles.png", "frames.csv", "report.html", "report.json"]


@pytest.mark.parametrize("args", [("exercises",), ("explain", "bridge")])
def test_a_reader_that_goes_away_is_not_an_error(tmp_path, args):
    """``formcheck exercises | head -1``: the pipe is closed before the output is written; the command
    still exits 0 and says nothing on stderr (as ``ls | head -1`` does)."""
    proc = subprocess.Popen([sys.executable, "-m", "formcheck", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before anything was written: every write gets EPIPE
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert err == ""
