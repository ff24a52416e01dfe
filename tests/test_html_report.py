"""report.html, key frames and angles.mot from a session on hand-built landmarks (no pose model, no browser).

The session: 1 s standing, then kneeling on the right knee, upright; the trunk leans forward from
6 s to a 35 deg peak at 8 s and back upright by 10 s; from 10.5 to 10.9 s the legs come together
(out of position: a break shorter than the hold's 1 s grace) with the trunk 40 deg forward, a fault
the hold must not count; the clip ends with 0.5 s without a person.
"""

from __future__ import annotations

import base64
import csv
import math
import re
from html.parser import HTMLParser

import cv2
import numpy as np
import pytest

from formcheck.exercises import load_exercise
from formcheck.judge.session import Session
from formcheck.media.frame import SourceInfo
from formcheck.pose.base import OutlineMeasure
from formcheck.report.html_report import fault_episodes, hold_category, render_html_report, segments
from formcheck.report.json_report import build_report, write_frames_csv
from formcheck.report.key_frames import MEASURE_COLOR, KeyFrames, counted_faults
from formcheck.report.mot_export import mot_column, mot_signals, write_mot
from formcheck.report.plots import plot_angles
from formcheck.run.cues import FormCues
from tests.poses import kneeling, observation, standing

FPS, END_S, PEAK_S, BREAK_S = 30.0, 12.0, 8.0, (10.5, 10.9)


def lean_at(t: float) -> float:
    """Trunk lean (deg) of the script: 0, a triangle up to 35 at PEAK_S, 0."""
    return max(0.0, 35.0 * (1 - abs(t - PEAK_S) / 2.0))


def leaning_session():
    spec = load_exercise("kneeling-hip-flexor")
    now = [0.0]
    s = Session(spec, 640, 480, cues=FormCues(spec))

    def outline() -> OutlineMeasure:
        tucked = s._holds.current and now[0] - s._holds.current.start_s > 2.0
        return OutlineMeasure(0.04 if tucked else 0.06, 0.0, False, None)

    keys = KeyFrames(spec)
    times = np.arange(0, END_S + 0.5, 1 / FPS)
    for i, t in enumerate(times):
        now[0] = float(t)
        if t >= END_S:
            obs = None
        else:
            if t < 1.0:
                xy = standing()
            elif BREAK_S[0] <= t < BREAK_S[1]:
                xy = kneeling(back="right", back_thigh=0.0, front_thigh=0.0, trunk_lean=40.0)
            else:
                xy = kneeling(back="right", trunk_lean=lean_at(t))
            obs = observation(xy, near="right")
        r = s.step(i, float(t), obs, outline() if obs is not None else None)
        img = np.full((480, 640, 3), 90, np.uint8)
        img[0, 0] = (i % 256, i // 256, 0)  # the frame's number, to tell which image was kept
        keys.offer(img, r)
    return s, s.finish(), keys


@pytest.fixture(scope="module")
def session():
    return leaning_session()


def test_key_frame_is_the_frame_where_the_fault_is_worst(session):
    _, res, keys = session
    counted = {code for f in res.frames for code in counted_faults(f)}
    assert "trunk_forward" in counted
    assert set(keys.best) == counted  # one image per fault code, nothing else kept
    kf = keys.best["trunk_forward"]
    assert kf.result.t == pytest.approx(PEAK_S, abs=2.5 / FPS)  # the landmark filter lags a frame
    assert int(kf.image[0, 0, 0]) + 256 * int(kf.image[0, 0, 1]) == kf.result.index
    img = keys.render("trunk_forward")
    # The measured trunk line is drawn: the point between hip and shoulder has the measure colour.
    xy = kf.result.xy
    mid = ((xy[23] + xy[11]) / 2).round().astype(int)
    assert tuple(int(c) for c in img[mid[1], mid[0]]) == MEASURE_COLOR
    assert keys.render("back_arched") is None


def test_timeline_and_fault_episodes_agree_with_the_hold_tracker(session):
    _, res, _ = session
    spec = res.spec
    (hold,) = res.holds
    segs = segments(res.frames, hold.start_s, hold.end_s, lambda f: hold_category(spec, f))
    assert segs[0].start_s == pytest.approx(hold.start_s) and segs[-1].end_s >= hold.end_s
    assert all(a.end_s == pytest.approx(b.start_s) for a, b in zip(segs, segs[1:], strict=False))
    per = {cat: sum(s.end_s - s.start_s for s in segs if s.category == cat)
           for cat in ("good", "borderline", "faulty")}
    # The timeline is drawn from frame statuses; the tracker books frame durations: same seconds.
    # Borderline frames are good form, shown as their own category.
    assert per["good"] + per["borderline"] == pytest.approx(hold.good_form_s, abs=2 / FPS)
    assert per["borderline"] == pytest.approx(hold.borderline_s, abs=2 / FPS)
    assert per["borderline"] > 0  # the lean passes 15 deg within the trunk's measured error on its way
    assert per["faulty"] == pytest.approx(hold.faulty_s, abs=2 / FPS)
    for code, seconds in hold.fault_s.items():
        eps = fault_episodes(res.frames, code)
        assert sum(b - a for a, b in eps) == pytest.approx(seconds, abs=2 / FPS), code
    assert not any(f.faults for f in res.frames if not f.in_position)  # a break out of position shows no fault
    assert not any(BREAK_S[0] + 0.1 < f.t < BREAK_S[1] for f in res.frames if f.in_position)
    eps = fault_episodes(res.frames, "trunk_forward")
    assert all(b <= BREAK_S[0] or a >= BREAK_S[1] for a, b in eps)  # ... but it is not counted
    (ep,) = [e for e in eps if e[0] < PEAK_S < e[1]]
    assert 6.5 < ep[0] and ep[1] < 10.0  # lean > 17 deg from 6.97 to 9.03 s by the script


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.imgs: list[dict] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "img":
            self.imgs.append(dict(attrs))


def test_html_report_names_the_fault_shows_its_frame_and_escapes_text(session, tmp_path):
    s, res, keys = session
    info = SourceInfo("clips/<img src=x onerror=alert(1)>.mp4", 640, 480, FPS, s.n_frames, "video")
    report = build_report(res, info)
    plot_angles(res, tmp_path / "angles.png")
    page = render_html_report(report, res, tmp_path, keys)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.mp4" in page
    p = _Text()
    p.feed(page)
    text = " ".join(" ".join(p.text).split())
    spec = res.spec
    c = next(c for c in spec.form if c.code == "trunk_forward")
    assert c.message in text and c.cue in text
    assert re.search(r"Worst at 8\.0 s \(right side\): trunk_lean 3[45] deg", text), text
    assert "not reached" in text  # 12 s of the 30 s target
    assert "annotated.mp4" not in page  # no video was written, none is linked
    key = [i for i in p.imgs if i.get("class") == "key-frame"]
    plots = [i for i in p.imgs if i.get("class") == "plot"]
    assert len(plots) == 1
    assert sorted(i["alt"].split()[0] for i in key) == sorted(keys.best)  # one still per fault counted
    (trunk,) = [i for i in key if i["alt"].startswith("trunk_forward")]
    jpg = base64.b64decode(trunk["src"].split(",", 1)[1])
    img = cv2.imdecode(np.frombuffer(jpg, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape == (480, 640, 3)
    assert np.abs(img.astype(int) - keys.render("trunk_forward")).mean() < 3  # the same picture, JPEG-coded


def test_mot_file_matches_frames_csv(session, tmp_path):
    _, res, _ = session
    write_mot(res, tmp_path / "angles.mot")
    write_frames_csv(res, tmp_path / "frames.csv")
    lines = (tmp_path / "angles.mot").read_text().splitlines()
    end = lines.index("endheader")
    header = dict(ln.split("=", 1) for ln in lines[1:end] if "=" in ln)
    assert header["version"] == "1" and header["inDegrees"] == "yes"
    cols = lines[end + 1].split("\t")
    rows = [ln.split("\t") for ln in lines[end + 2:]]
    assert int(header["nColumns"]) == len(cols) and all(len(r) == len(cols) for r in rows)
    assert int(header["nRows"]) == len(rows) == len(res.frames)
    signals = mot_signals(res.spec)
    assert cols == ["time", *map(mot_column, signals)]
    assert "back_curvature" not in signals and "trunk_lean" in signals and "hip_ext.back" in signals
    with (tmp_path / "frames.csv").open() as fh:
        table = list(csv.DictReader(fh))
    n_nan = 0
    for row, ref in zip(rows, table, strict=True):
        assert float(row[0]) == pytest.approx(float(ref["t_s"]), abs=1e-4)
        for sig, cell in zip(signals, row[1:], strict=True):
            if ref[sig] == "":
                assert cell == "NaN"
                n_nan += 1
            else:
                assert float(cell) == pytest.approx(float(ref[sig]), abs=1e-4)
    assert n_nan > 0  # the last half second has no person (the filter bridges only short gaps)
    assert not any(math.isnan(float(c)) for c in rows[int(5 * FPS)][1:])
