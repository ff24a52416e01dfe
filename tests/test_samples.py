"""The bundled sample clips scored by the real pipeline, checked against their ground truth.

Tolerances come from measurements (2026-11-21, `formcheck score sample_videos/<clip>.mp4`), with the
measured value in each comment; they check the product's answer, not a re-statement of it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from formcheck.run.score import run_score
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow


def score(name: str, exercise: str, tmp_path):
    video = SAMPLES / f"{name}.mp4"
    gt = json.loads((SAMPLES / f"{name}.json").read_text())
    outcome = run_score(video, exercise, tmp_path, write_video=False, progress=False)
    return outcome.report.to_json(), gt


def fault_seconds(hold: dict, code: str) -> float:
    return sum(f["seconds"] for f in hold["faults"] if f["code"] == code)


@pytest.mark.parametrize("name,side", [("lunge_left_ppt", "left"), ("lunge_right_ppt", "right")])
def test_tilted_hold_reaches_target_on_the_kneeling_side(name, side, tmp_path):
    r, gt = score(name, "kneeling-hip-flexor", tmp_path)
    assert r["detection_rate"] >= 0.95
    (h,) = r["holds"]
    (g,) = gt["holds"]
    assert h["side"] == g["side"] == side
    # True good form: the seconds the pelvis is tucked at least 5 deg past the set-up neutral, 35.7 s
    # (the scripted hold is 6.2-40.2 s; the tuck and the release add to it). Measured 37.0 s (left)
    # and 38.0 s (right): the outline threshold is reached a little before 5 deg of true tilt.
    t = np.array([f["t"] for f in gt["frames"]])
    tilt = np.array([f["pelvic_tilt_deg"] for f in gt["frames"]])
    b = gt["baseline"]
    neutral = np.median(tilt[(t >= b["start_s"]) & (t <= b["end_s"])])
    true_good = float(((tilt - neutral) >= 5.0).sum()) / gt["fps"]
    assert h["good_form_s"] == pytest.approx(true_good, abs=3.0)
    assert h["target_reached"]
    # Faults only while setting up, before the tuck (outside the true hold): never the hip extension,
    # which is measured (an outcome) instead.
    assert fault_seconds(h, "no_pelvic_tilt") < 5.0
    assert {f["code"] for f in h["faults"]} <= {"no_pelvic_tilt", "front_knee_forward"}
    (hip,) = h["outcomes"]
    assert 5.0 < hip["median"] < 25.0 and hip["change"] > 5.0  # the hips move forward into the stretch


@pytest.mark.parametrize("name,side", [("lunge_left_no_tilt", "left"), ("lunge_right_no_tilt", "right")])
def test_hold_without_tilt_is_flagged(name, side, tmp_path):
    r, gt = score(name, "kneeling-hip-flexor", tmp_path)
    (h,) = r["holds"]
    assert h["side"] == side
    true_s = sum(1 for f in gt["frames"] if "no_pelvic_tilt" in f["faults"]) / gt["fps"]  # 34 s
    # Measured 38.3-38.5 s (the pipeline also counts the set-up seconds after the baseline).
    assert fault_seconds(h, "no_pelvic_tilt") >= 0.8 * true_s
    assert not h["target_reached"]


def test_supported_bridge_drop_near_the_end(tmp_path):
    r, gt = score("supported_bridge_drop", "supported-bridge", tmp_path)
    (h,) = r["holds"]
    true_s = sum(1 for f in gt["frames"] if "hips_dropped" in f["faults"]) / gt["fps"]  # 5.5 s
    assert fault_seconds(h, "hips_dropped") == pytest.approx(true_s, abs=2.0)  # measured 5.0 s
    assert h["good_form_s"] > 20


def test_bridge_reps_match_the_true_reps(tmp_path):
    r, gt = score("bridge_reps_sag", "bridge", tmp_path)
    found = r["reps"]
    assert len(found) == len(gt["reps"]) == 6
    for g in gt["reps"]:
        match = [x for x in found if x["start_s"] < g["top_end_s"] and x["end_s"] > g["top_start_s"]]
        assert len(match) == 1, (g, found)
        top = g["top_end_s"] - g["top_start_s"]  # 2.0 s; measured 2.2-2.4 s
        assert match[0]["top_hold_s"] == pytest.approx(top, abs=0.6)
        codes = [f["code"] for f in match[0]["faults"]]
        if 18.0 < g["start_s"] < 19.0:
            # The fourth rep sags (true line 150 deg): the hips leave the floor (MediaPipe reads the lift
            # as +0.07 thigh lengths) but stop far short of the line - a rep, with hips_low.
            assert codes == ["hips_low"]
        else:
            assert codes == []
