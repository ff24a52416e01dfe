"""``--exercise auto``: the bundled exercise held longest is chosen and said; a clip where no bundled
exercise's position is held is refused with one line, exit 3 (the plank is no bundled exercise)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.conftest import SAMPLES


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "formcheck", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=900)


def test_nobody_in_view_is_refused_with_exit_3(tmp_path):
    rng = np.random.default_rng(0)
    w = cv2.VideoWriter(str(tmp_path / "wall.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (320, 240))
    for _ in range(20):
        w.write(cv2.GaussianBlur(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8), (9, 9), 3))
    w.release()
    run = cli("score", "wall.mp4", "--exercise", "auto", "--out", "o", "--no-history", cwd=tmp_path)
    assert run.returncode == 3, run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "no bundled exercise's position was held (no person was found" in run.stderr
    assert not (tmp_path / "o" / "report.json").exists()


@pytest.mark.slow
def test_a_bridge_clip_is_scored_as_a_bridge(tmp_path):
    run = cli("score", str(SAMPLES / "bridge_reps_sag.mp4"), "-e", "auto", "--out", "o", "--no-video",
              "--no-history", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    said = run.stdout.splitlines()[0]
    assert said.startswith("exercise: bridge (position held ") and "Glute bridge" in run.stdout


@pytest.mark.slow
def test_the_plank_is_refused(tmp_path, real_data):
    clip = real_data / "videos" / "other" / "plank_hold_timer_side_kaiakol005.mp4"
    run = cli("score", str(clip), "-e", "auto", "--out", "o", "--no-history", cwd=tmp_path)
    assert run.returncode == 3, run.stderr
    assert "no bundled exercise's position was held (a person was found in" in run.stderr
