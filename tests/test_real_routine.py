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
