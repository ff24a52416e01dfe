"""Reports from a session on hand-built landmark sequences: schema, CSV columns, score, commands."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import jsonschema
import numpy as np
import pytest

from formcheck.exercises import available_exercises, load_exercise
from formcheck.judge.session import Session
from formcheck.media.frame import SourceInfo
from formcheck.pose.base import OutlineMeasure
from formcheck.report.json_report import (
    SCHEMA_PATH,
    build_report,
    frames_csv_columns,
    write_frames_csv,
    write_report_json,
)
from formcheck.report.model import report_from_json
from formcheck.report.plots import plot_angles
from formcheck.run.cues import FormCues
from tests.poses import kneeling, observation, standing

SCHEMA = json.loads(SCHEMA_PATH.read_text())


def lunge_session(seconds: float, tuck_after: float = 2.0, fps: float = 30.0):
    spec = load_exercise("kneeling-hip-flexor")
    s = Session(spec, 640, 480, cues=FormCues(spec))

    def outline() -> OutlineMeasure:
        tucked = s._holds.current and now[0] - s._holds.current.start_s > tuck_after
        return OutlineMeasure(0.04 if tucked else 0.06, 0.0, False, None)

    now = [0.0]
    good, stand = kneeling(back="right"), standing()
    for i, t in enumerate(np.arange(0, seconds, 1 / fps)):
        now[0] = t
        xy = stand if t < 1.0 else good
        s.step(i, float(t), observation(xy, near="right"), outline())
    return s, s.finish()


def test_report_validates_and_scores_one_side(tmp_path):
    s, res = lunge_session(40.0)
    info = SourceInfo("clip.mp4", 640, 480, 30.0, s.n_frames, "video")
    report = build_report(res, info)
    write_report_json(report, tmp_path / "report.json")
    on_disk = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(on_disk, SCHEMA)
    (h,) = on_disk["holds"]
    assert h["side"] == "right" and h["target_reached"]
    assert h["good_form_s"] == pytest.approx(40 - 1 - 2, abs=0.5)
    # One side done of two: half the score.
    assert on_disk["score"] == pytest.approx(50.0, abs=0.1)
    assert "averaged over sides" in on_disk["score_method"]


def test_schema_rejects_a_broken_report():
    s, res = lunge_session(5.0)
    doc = build_report(res, SourceInfo("c.mp4", 640, 480, 30.0, s.n_frames, "video")).to_json()
    jsonschema.validate(doc, SCHEMA)
    del doc["holds"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_frames_csv_has_every_criterion_and_a_row_per_frame(tmp_path):
    s, res = lunge_session(4.0)
    write_frames_csv(res, tmp_path / "frames.csv")
    rows = list(csv.DictReader((tmp_path / "frames.csv").open()))
    assert len(rows) == s.n_frames
    assert list(rows[0]) == frames_csv_columns(res.spec)
    assert {r["crit_pelvis_tucked"] for r in rows} <= {"pass", "borderline", "fail", "not_judged"}
    assert rows[-1]["in_position"] == "1" and rows[0]["in_position"] == "0"
    plot_angles(res, tmp_path / "angles.png")
    assert (tmp_path / "angles.png").read_bytes()[:4] == b"\x89PNG"


def test_exercises_and_explain_commands():
    out = subprocess.run([sys.executable, "-m", "formcheck", "exercises"], capture_output=True, text=True)
    assert out.returncode == 0
    for name in available_exercises():
        assert name in out.stdout
    ex = subprocess.run([sys.executable, "-m", "formcheck", "explain", "kneeling-hip-flexor"], capture_output=True,
                        text=True)
    assert ex.returncode == 0
    for c in load_exercise("kneeling-hip-flexor").form:
        assert c.code in ex.stdout and c.cue in ex.stdout


def test_report_reads_back_from_its_json(tmp_path):
    s, res = lunge_session(12.0)
    report = build_report(res, SourceInfo("c.mp4", 640, 480, 30.0, s.n_frames, "video"), elapsed_s=1.5)
    write_report_json(report, tmp_path / "report.json")
    again = report_from_json(json.loads((tmp_path / "report.json").read_text()))
    assert again == report and again.holds and again.processing_s == 1.5
