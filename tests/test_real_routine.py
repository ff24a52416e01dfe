"""Acceptance of the routine's other exercises on real footage in ../shared/data/real (skipped when
absent): the real pipeline through ``run_score``, checked against what was counted by eye."""

from __future__ import annotations

import json

import jsonschema
import pytest

from formcheck.report.json_report import SCHEMA_PATH
from formcheck.run.score import run_score

pytestmark = pytest.mark.slow
SCHEMA = json.loads(SCHEMA_PATH.read_text())


def score(video, exercise, out):
    run_score(video, exercise, out, write_video=False, progress=False)
    on_disk = json.loads((out / "report.json").read_text())
    jsonschema.validate(on_disk, SCHEMA)
    return on_disk


def test_standing_quad_stretch_at_a_wall_is_one_hold(real_data, tmp_path):
    # By eye (frames every 0.5 s): a man at a wall, true side view facing image-right, his near (right)
    # hand on the wall; title card to 4 s, stands 4-9 s, takes his far (left) foot behind ~10-11 s, heel
    # at the glute, knee down next to the standing knee, trunk upright; holds to ~34.5 s; end card ~36 s.
    # So: one hold of about 24 s, from ~10.5 s to ~34.5 s. MediaPipe labels the held (far) leg "right"
    # (its left/right labels of overlapping legs in a side view are unreliable), so the side is not
    # checked here; for a while mid-hold it mixes the two ankles, a break the hold's grace bridges.
    r = score(real_data / "videos/quad_stretch/standing_quad_stretch_wall_side.mp4", "standing-quad-stretch",
              tmp_path)
    assert len(r["holds"]) == 1, r["holds"]
    h = r["holds"][0]
    assert abs(h["start_s"] - 10.5) <= 1.5 and abs(h["end_s"] - 34.5) <= 1.5, h
    # Form he shows by eye is good (knee down, trunk upright): most of the hold is good form, and
    # nothing is reported for the trunk.
    assert h["good_form_s"] >= 12.0, h
    codes = {f["code"] for f in h["faults"]}
    assert not codes & {"trunk_forward", "back_arched"}, codes


def test_donkey_kicks_are_counted_kick_for_kick(real_data, tmp_path):
    # By eye (frames every 0.25 s): a woman on all fours, true side view facing image-left, kicks one leg
    # (bent knee, foot up) back and up and lowers it to the floor each time; the foot is highest at about
    # 0.75, 2.25, 3.75, 5.0, 6.5, 8.0 and 9.5 s: seven kicks, no pause at the top. (The clip's notes say
    # ~4; counted again frame by frame it is 7.) MediaPipe swaps its left/right labels of the legs between
    # kicks, so the side each kick is booked to is not checked, only the count and the timing.
    r = score(real_data / "videos/kickback/donkey_kicks_side_darebee.mp4", "glute-kickback", tmp_path)
    peaks = [0.75, 2.25, 3.75, 5.0, 6.5, 8.0, 9.5]
    # The first kick begins 0.4 s into the clip, before the resting level has been seen long enough: it
    # may be missed. Every later kick is one rep, and nothing else is.
    reps = r["reps"]
    assert len(reps) in (len(peaks) - 1, len(peaks)), reps
    for rep, peak in zip(reps[::-1], peaks[::-1], strict=False):
        assert rep["start_s"] - 0.5 <= peak <= rep["end_s"] + 0.5, (rep, peak)
    assert all(rep["side"] in ("left", "right") for rep in reps)


def test_upward_dog_holds_and_no_hold_in_the_planks(real_data, tmp_path):
    # By eye: a woman on a mat. Front-oblique camera to ~8.6 s: plank, upward dog ~2-6.5 s, plank; hard
    # cut to a true side view (head left): plank ~9-10 s, upward dog held ~10.5-14 s, plank to the end.
    # In the upward dogs her arms are straight with the shoulders over the wrists; her thighs are low and
    # her knees rest at the mat (a slightly bent knee, feet on the toes).
    r = score(real_data / "videos/cobra_updog/upward_dog_oblique_then_side.mp4", "upward-dog", tmp_path)
    holds = r["holds"]
    assert len(holds) == 2, holds
    for h, (a, b) in zip(holds, [(2.0, 6.5), (10.5, 14.0)], strict=True):
        assert abs(h["start_s"] - a) <= 1.0 and abs(h["end_s"] - b) <= 1.0, h
        codes = {f["code"] for f in h["faults"]}
        assert not codes & {"arms_bent", "shoulders_forward", "shoulders_back"}, codes
    # The planks (before 1.3 s, 7-10 s, after 15 s) are no upward dog: no hold covers them.
    for t in (0.5, 8.5, 16.5):
        assert not any(h["start_s"] <= t <= h["end_s"] for h in holds), t
