"""A bundled faulty clip scored end to end, its report opened in a real headless Chromium.

The sample ``supported_bridge_drop`` (rendered mannequin, pelvis on a block, the hips drop near the
end) is scored once with the real pose model; the tests then probe the annotated video, load the
page in Chromium (DOM after scripts ran, and a screenshot's pixels), and read angles.mot.
Chromium tests skip when no Chromium is installed; ``.ci/run`` installs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser

import cv2
import numpy as np
import pytest

from formcheck.exercises import load_exercise
from formcheck.media.video_out import open_video_writer
from formcheck.report.browser import dump_dom, find_chromium, screenshot
from formcheck.report.html_report import COLORS, KEY_FRAME_BORDER
from formcheck.run.score import run_score
from tests.conftest import REPO, SAMPLES
from tests.media import decoded_frames, top_level_boxes, video_codec_and_size

pytestmark = pytest.mark.slow
needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="no Chromium on PATH (Debian: apt-get install "
                                    "chromium; .ci/run installs it)")
CLIP, EXERCISE, FAULT = "supported_bridge_drop", "supported-bridge", "hips_dropped"


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp(CLIP)
    outcome = run_score(SAMPLES / f"{CLIP}.mp4", EXERCISE, out, progress=False, mot=True)
    return outcome.report.to_json(), out


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))


def _video_tag(dom: str) -> str:
    (tag,) = re.findall(r"<video\b[^>]*>", dom)
    return tag


def test_annotated_video_is_h264_with_every_scored_frame(scored):
    report, out = scored
    codec, pix, size = video_codec_and_size(out / "annotated.mp4")
    assert (codec, pix) == ("h264", "yuv420p")
    assert size == (report["width"] + report["width"] % 2, report["height"] + report["height"] % 2)
    boxes = top_level_boxes(out / "annotated.mp4")
    assert boxes.index("moov") < boxes.index("mdat")
    assert len(decoded_frames(out / "annotated.mp4")) == report["frames"]


@needs_chromium
def test_video_plays_in_chromium_and_an_mp4v_copy_does_not(scored, tmp_path):
    _, out = scored
    tag = _video_tag(dump_dom(out / "report.html"))
    assert 'src="annotated.mp4"' in tag and "data-error" not in tag
    assert int(re.search(r'data-ready-state="(\d)"', tag).group(1)) >= 2  # HAVE_CURRENT_DATA: a frame decoded
    # Control: the same page beside the same frames in OpenCV's mp4v — the check must be able to fail.
    shutil.copy(out / "report.html", tmp_path / "report.html")
    frames = decoded_frames(out / "annotated.mp4")[:60]
    w = open_video_writer(tmp_path / "annotated.mp4", 15.0, (frames[0].shape[1], frames[0].shape[0]), codec="mp4v")
    for f in frames:
        w.write(f)
    w.release()
    tag = _video_tag(dump_dom(tmp_path / "report.html"))
    assert "data-error" in tag and 'data-ready-state="0"' in tag


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = False

    def handle_starttag(self, tag, attrs) -> None:
        self.skip = tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


@needs_chromium
def test_report_in_chromium_names_the_fault_and_shows_its_frame(scored, tmp_path):
    report, out = scored
    spec = load_exercise(EXERCISE)
    c = next(c for c in spec.form if c.code == FAULT)
    dom = dump_dom(out / "report.html")
    p = _Text()
    p.feed(dom)
    text = " ".join(" ".join(p.parts).split())
    assert spec.title in text and c.message in text and FAULT in text and c.cue in text
    (hold,) = report["holds"]
    assert f"{hold['good_form_s']:.1f} s of good form of the 300 s target" in text
    # By the clip's ground truth the hips drop in its last ~5.5 s (34.5-40 s).
    # The frame shows the value the rule judged: the hips' change from the neutral, past -0.08.
    m = re.search(r"Worst at (\d+\.\d) s: hip_lift\.near ([-+]\d\.\d+) thigh lengths from your neutral", text)
    assert m and 34.0 <= float(m.group(1)) <= 40.1 and float(m.group(2)) < -0.08, text
    assert "measuring your neutral position (baseline) first" in text  # what could not be judged, and why

    png = screenshot(out / "report.html", tmp_path / "shot.png", 800, 2400)
    img = cv2.cvtColor(cv2.imread(str(png)), cv2.COLOR_BGR2RGB)
    for cat in ("good", "faulty"):  # the hold timeline shows good form and the fault
        assert (img == _rgb(COLORS[cat])).all(axis=2).sum() > 200, cat
    border = (img == _rgb(KEY_FRAME_BORDER)).all(axis=2)
    ys, xs = np.nonzero(border)
    assert len(ys) > 1000, "key frame not on the page"
    inner = img[ys.min() + 6:ys.max() - 5, xs.min() + 6:xs.max() - 5]
    h, w = inner.shape[:2]
    assert w / h == pytest.approx(report["width"] / report["height"], rel=0.03)  # the whole frame, not cropped
    assert inner.std() > 20  # a picture, not a blank box
    amber = (inner[..., 0] > 200) & (inner[..., 1] > 170) & (inner[..., 1] < 240) & (inner[..., 2] < 90)
    assert amber.sum() > 50  # the measured shoulder-hip-knee lines are drawn on it


def test_mot_export_from_a_scored_clip(scored):
    report, out = scored
    lines = (out / "angles.mot").read_text().splitlines()
    assert f"nRows={report['frames']}" in lines and "nColumns=3" in lines  # time, trunk_tilt, knee_near
    assert lines[lines.index("endheader") + 1].split("\t") == ["time", "trunk_tilt", "knee_near"]


def test_ctrl_c_mid_scoring_leaves_a_finished_playable_video(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "formcheck", "score", str(SAMPLES / "lunge_left_ppt.mp4"),
                             "-e", "kneeling-hip-flexor", "--out", str(tmp_path), "-q"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    video = tmp_path / "annotated.mp4"

    def encoding() -> bool:  # the video is written under a temporary name until it is finished
        return any(p.stat().st_size > 0 for p in tmp_path.glob(".annotated.part-*.mp4"))

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None and not encoding():
        time.sleep(0.2)
    time.sleep(1.0)  # ffmpeg writes once frames arrive: scoring is under way
    assert not video.exists()  # not under its real name before it is complete
    assert proc.poll() is None, "scoring finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    report = json.loads((tmp_path / "report.json").read_text())
    assert 0 < report["frames"] < 659
    assert (tmp_path / "report.html").exists()
    assert video_codec_and_size(video)[0] == "h264"
    assert abs(len(decoded_frames(video)) - report["frames"]) <= 1  # every scored frame is in the video
