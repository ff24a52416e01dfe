"""The analysis rate (``--rate``): which frames the pose model sees, that the others are only
grabbed, that the annotated video still has every frame, and (slow) that scoring at the default
rate agrees with scoring every frame on a rendered 30 fps lunge clip and a rep clip."""

from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import jsonschema
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.rate_agreement import LIMITS, render_at, score_both
from formcheck.errors import InputError
from formcheck.media.rate import DEFAULT_RATE, is_analysed, parse_rate
from formcheck.media.sources import open_source
from formcheck.report.json_report import SCHEMA_PATH
from formcheck.run.pipeline import parse_workers, usable_cores
from formcheck.run.score import run_score
from tests.media import decoded_frames, ffmpeg
from tests.test_cli_errors import assert_one_line_error, formcheck


def test_rate_parses_numbers_and_full():
    assert parse_rate("15") == 15.0
    assert parse_rate("7.5") == 7.5
    assert parse_rate("full") is None and parse_rate("FULL") is None
    assert parse_rate(DEFAULT_RATE) == 15.0


@pytest.mark.parametrize("text,needle", [("0", "at least 1"), ("-3", "at least 1"), ("fast", "'full'"),
                                         ("nan", "at least 1")])
def test_bad_rates_are_one_clear_error(text, needle):
    with pytest.raises(InputError, match=needle):
        parse_rate(text)


@pytest.mark.parametrize("command", ["score", "batch"])
def test_bad_rate_on_the_command_line_is_exit_2_before_any_work(tmp_path, command):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not read: the option fails first")
    extra = ["--out", str(tmp_path / "o")] if command == "batch" else []
    proc = formcheck(command, str(video), "-e", "bridge", "--rate", "0", *extra, cwd=tmp_path)
    assert_one_line_error(proc, 2, "--rate must be at least 1")
    assert not (tmp_path / "o").exists()


def test_workers_auto_is_one_per_usable_core_less_one_for_the_video():
    cores = usable_cores()
    assert parse_workers("auto") == min(cores, 4)
    assert parse_workers("auto", write_video=True) == max(1, min(cores - 1, 4))


@settings(max_examples=200, deadline=None)
@given(fps=st.floats(10, 120), hz=st.floats(1, 60), seconds=st.floats(0.5, 20),
       jitter=st.floats(0, 0.3), seed=st.integers(0, 2**16))
def test_analysed_frames_are_at_most_hz_per_second_and_evenly_spread(fps, hz, seconds, jitter, seed):
    """Frame times with up to ``jitter`` of a frame interval of variable-frame-rate jitter: the analysed
    frames never come closer than one slot less a frame, never leave a gap of more than a slot and a
    frame, and number at most one per slot."""
    rng = np.random.default_rng(seed)
    n = max(2, int(seconds * fps))
    t = np.arange(n) / fps + rng.uniform(0, jitter / fps, n)
    t = np.maximum.accumulate(t)
    kept = [t[i] for i in range(n) if is_analysed(t[i], t[i - 1] if i else None, hz, fps)]
    assert kept[0] == t[0]
    gaps = np.diff(kept)
    step, frame = 1 / hz, (1 + jitter) / fps
    if hz <= fps:
        assert np.all(gaps > step - frame - 1e-9)
    assert np.all(gaps < step + frame + 1e-9)
    assert len(kept) <= math.floor((t[-1] - t[0]) * hz) + 2


def test_every_frame_analysed_at_full_rate():
    assert all(is_analysed(i / 30, (i - 1) / 30, None, 30.0) for i in range(1, 60))


@pytest.fixture(scope="module")
def clip30(tmp_path_factory) -> Path:
    """A 2 s 30 fps test pattern (moving, so frames differ) made with the bundled ffmpeg."""
    path = tmp_path_factory.mktemp("rate") / "pattern30.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=30", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast",
           "-pix_fmt", "yuv420p", path)
    return path


def test_a_video_read_at_15_hz_gives_every_other_frame_with_the_same_times_and_pixels(clip30):
    full = list(open_source(clip30).frames())
    assert len(full) == 60
    at15 = list(open_source(clip30).frames(rate=15))
    assert [f.index for f in at15] == list(range(0, 60, 2))
    for f in at15:
        assert f.t == full[f.index].t
        assert np.array_equal(f.image, full[f.index].image)


def test_a_span_read_at_a_rate_picks_the_same_frames_as_a_read_from_the_start(clip30):
    """Pose workers start at a span: their choice of frames must match the single reader's."""
    whole = [f.index for f in open_source(clip30).frames(rate=10)]
    span = [f.index for f in open_source(clip30).frames(25, 50, rate=10)]
    assert span == [i for i in whole if 25 <= i < 50]
    src = open_source(clip30)
    list(src.frames(25, 50, rate=10))
    assert src.frames_read == 50


def test_an_image_folder_read_at_a_rate(tmp_path, clip30):
    for i, img in enumerate(decoded_frames(clip30)[:12]):
        cv2.imwrite(str(tmp_path / f"{i:03d}.png"), img)
    assert [f.index for f in open_source(tmp_path).frames(rate=10)] == [0, 3, 6, 9]
    (tmp_path / "006.png").write_bytes(b"not an image")  # unreadable: the next readable image takes its slot
    (tmp_path / "004.png").write_bytes(b"not an image")  # unreadable and not analysed: still noted
    src = open_source(tmp_path)
    assert [f.index for f in src.frames(rate=10)] == [0, 3, 7, 9]
    assert [n.split(":")[0] for n in src.info.decode_errors] == ["004.png", "006.png"]


@pytest.mark.slow
def test_annotated_video_keeps_every_frame_and_the_report_says_the_rate(tmp_path, clip30):
    """At 10 Hz on 30 fps the model sees every third frame: frames.csv has those rows, report.json
    says the rate, and annotated.mp4 has all 60 frames, each with the overlay (the timer ring) drawn,
    the frames in between carrying the analysed frame's."""
    out = tmp_path / "out"
    outcome = run_score(clip30, "kneeling-hip-flexor", out, progress=False, workers=1, rate=10.0)
    report = json.loads((out / "report.json").read_text())
    jsonschema.validate(report, json.loads(SCHEMA_PATH.read_text()))
    assert report["analysis_rate_hz"] == 10.0 and report["analysed_fps"] == pytest.approx(10.0, abs=0.01)
    rows = (out / "frames.csv").read_text().splitlines()[1:]
    assert [int(r.split(",")[0]) for r in rows] == list(range(0, 60, 3))
    assert report["frames"] == 20 and outcome.report is not None
    raw, drawn = decoded_frames(clip30), decoded_frames(out / "annotated.mp4")
    assert len(drawn) == len(raw) == 60
    ring = (slice(0, 40), slice(110, 160))  # top right: the hold timer ring, drawn on every frame
    changed = [float(np.abs(d[ring].astype(int) - r[ring].astype(int)).mean()) for d, r in zip(drawn, raw, strict=True)]
    assert min(changed) > 5, changed


@pytest.fixture(scope="module")
def clips_30fps(tmp_path_factory) -> Path:
    """The short rendered lunge and bridge clips, re-rendered at 30 fps (so 15 Hz skips every other frame)."""
    return tmp_path_factory.mktemp("clips")


@pytest.mark.slow
def test_pose_at_a_rate_sees_visibility_as_at_full_rate(clips_30fps):
    """The pose graph smooths visibility per call: at 15 Hz, told the source's rate, a knee coming into view
    crosses the 0.5 gate at the same second as with every frame analysed (not one ramp-length later)."""
    from formcheck.pose.mediapipe_pose import MediaPipePose

    video = render_at("lunge_short", 30.0, clips_30fps)

    def visibility(rate: float | None, source_fps: float | None) -> dict[int, np.ndarray]:
        with MediaPipePose(segmentation=False, source_fps=source_fps) as pose:
            return {f.index: obs.vis for f in open_source(video, max_side=720).frames(0, 90, rate=rate)
                    if (obs := pose.process(f.image, f.t)) is not None}

    full, told, untold = visibility(None, 30.0), visibility(15.0, 30.0), visibility(15.0, None)
    common = sorted(set(full) & set(told) & set(untold))
    assert len(common) > 30
    err_told = max(float(np.abs(told[i] - full[i]).max()) for i in common)
    err_untold = max(float(np.abs(untold[i] - full[i]).max()) for i in common)
    assert err_told < 0.05 and err_told < err_untold / 2, (err_told, err_untold)


@pytest.mark.slow
@pytest.mark.parametrize("name,exercise", [("lunge_short", "kneeling-hip-flexor"), ("bridge_short", "bridge")])
def test_default_rate_agrees_with_full_rate(tmp_path, clips_30fps, name, exercise):
    video = render_at(name, 30.0, clips_30fps)
    a = score_both(video, exercise, parse_rate(DEFAULT_RATE) or 0.0, tmp_path)
    assert a.frames_rate < 0.6 * a.frames_full  # really at a lower rate
    assert a.same_holds and a.same_reps
    full = json.loads((tmp_path / "full/report.json").read_text())
    assert full["holds"] or full["reps"]  # something to compare
    for key, limit in LIMITS.items():
        value = getattr(a, key)
        assert not value > limit, (key, value, a)
