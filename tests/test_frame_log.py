"""The column store of a session's frames: reads back what was stored, across chunk boundaries, and
stays small per frame."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.judge import frame_log
from formcheck.judge.frame_log import FrameLog, signal_series, times
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.session import Session
from tests.test_report import lunge_session


def assert_same_frame(a: FrameResult, b: FrameResult) -> None:
    """Equal in every field; landmarks to float32 precision; NaN equals NaN."""
    np.testing.assert_allclose(a.xy, b.xy, rtol=0, atol=1e-3, equal_nan=True)
    assert a.values.keys() == b.values.keys()
    for k, v in a.values.items():
        assert (math.isnan(v) and math.isnan(b.values[k])) or v == b.values[k], k
    for name in ("index", "t", "found", "statuses", "in_position", "side", "facing", "in_hold", "hold_good_s",
                 "at_top", "reps_done", "cue", "cue_code", "faults"):
        assert getattr(a, name) == getattr(b, name), name


def test_session_frames_read_back_as_judged(monkeypatch):
    monkeypatch.setattr(frame_log, "CHUNK_ROWS", 64)  # many chunk boundaries in a short session
    returned: list[FrameResult] = []
    step = Session.step

    def keep(self, *args, **kwargs):
        returned.append(step(self, *args, **kwargs))
        return returned[-1]

    monkeypatch.setattr(Session, "step", keep)
    s, res = lunge_session(12.0)
    assert isinstance(res.frames, FrameLog) and len(res.frames) == s.n_frames == len(returned) == 360
    # A session with some variety: standing, then a hold with a cue that changes.
    assert {f.in_hold for f in returned} == {False, True} and len({f.cue for f in returned}) > 1
    for stored, judged in zip(res.frames, returned, strict=True):
        assert_same_frame(stored, judged)
    assert_same_frame(res.frames[-1], returned[-1])
    assert [f.index for f in res.frames[100:140:7]] == list(range(100, 140, 7))
    with pytest.raises(IndexError):
        res.frames[360]


def test_columns_equal_the_per_frame_values(monkeypatch):
    monkeypatch.setattr(frame_log, "CHUNK_ROWS", 50)
    _, res = lunge_session(6.0)
    as_list = list(res.frames)
    np.testing.assert_array_equal(times(res.frames), times(as_list))
    for name in (*res.spec.signals, "not_a_signal"):
        np.testing.assert_array_equal(signal_series(res.frames, name), signal_series(as_list, name))


def test_a_frame_costs_well_under_a_kilobyte():
    log = FrameLog([f"s{i}" for i in range(15)])
    statuses = {f"c{i}": "pass" for i in range(10)}
    for i in range(frame_log.CHUNK_ROWS * 3):
        log.append(FrameResult(i, i / 30, True, np.zeros((33, 2)), {f"s{k}": float(i + k) for k in range(15)},
                               statuses, True, "left", 1, True, i / 30, False, 0, "Good form - hold it", "good", ()))
    assert log.nbytes() / len(log) < 600  # ~3.5 KB each as Python objects
    assert log[-1].values["s14"] == float(len(log) - 1 + 14) and log[-1].statuses == statuses


def test_an_empty_log_gives_empty_columns():
    log = FrameLog(["knee.front", "trunk_lean"])
    assert len(log) == 0 and list(log) == []
    assert times(log).shape == (0,) and signal_series(log, "knee.front").shape == (0,)
    assert log.column("xy").shape == (0, 33, 2)
