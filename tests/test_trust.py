"""Verdicts need evidence: the signal-error table and its margins, the borderline status, hip
extension as an outcome, the back outline judged unless an arm lies on it, and key frames that
show the value the rule judged."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from formcheck.errors import ExerciseFileError
from formcheck.exercises import available_exercises, load_exercise
from formcheck.exercises.signal_errors import ERROR_TABLE, error_key, load_signal_errors
from formcheck.exercises.spec import Timing
from formcheck.judge.frame_log import FrameLog
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.outcomes import hold_outcome
from formcheck.judge.rules import BORDERLINE, FAIL, PASS, UNKNOWN, combine, hysteresis_status
from formcheck.pose.outline import measure_back_outline
from tests.test_outline import draw_body

statuses = st.sampled_from([PASS, BORDERLINE, FAIL, UNKNOWN])
reading = st.floats(-50, 50, allow_nan=False)


@given(prev=statuses, value=reading, band=st.floats(0, 5))
def test_without_a_margin_there_is_no_borderline(prev, value, band):
    prev = FAIL if prev == BORDERLINE else prev  # a two-state rule never was borderline
    assert hysteresis_status(prev, value, 10.0, None, band, 0.0) != BORDERLINE


@given(prev=statuses, value=reading, band=st.floats(0, 5), margin=st.floats(0, 10))
def test_a_fault_needs_the_reading_past_the_threshold_by_more_than_the_margin(prev, value, band, margin):
    status = hysteresis_status(prev, value, 10.0, None, band, margin)
    if status == FAIL:
        assert value < 10.0 - margin + band / 2 + 1e-9
    if value < 10.0 - margin - band / 2 - 1e-9:
        assert status == FAIL
    if value >= 10.0 + band / 2:
        assert status == PASS


def test_borderline_between_threshold_and_margin_by_hand():
    # min 10, margin 3, no dead band: 11 passes, 8 is borderline, 6.9 is a fault.
    assert hysteresis_status(UNKNOWN, 11.0, 10.0, None, 0.0, 3.0) == PASS
    assert hysteresis_status(PASS, 8.0, 10.0, None, 0.0, 3.0) == BORDERLINE
    assert hysteresis_status(BORDERLINE, 6.9, 10.0, None, 0.0, 3.0) == FAIL
    assert hysteresis_status(FAIL, 7.5, 10.0, None, 0.0, 3.0) == BORDERLINE
    assert combine({"a": PASS, "b": BORDERLINE}) == BORDERLINE
    assert combine({"a": FAIL, "b": BORDERLINE}) == FAIL
    assert combine({"a": UNKNOWN, "b": BORDERLINE}) == UNKNOWN


def test_every_form_rule_reads_its_measured_error():
    errors = load_signal_errors()
    for name in available_exercises():
        for c in load_exercise(name).form:
            e = errors[error_key(c.signal, c.relative)]
            assert c.error == e and c.margin == e.p90 > 0, c.id


def test_a_broken_error_table_names_file_and_key(tmp_path):
    bad = tmp_path / "errors.toml"
    bad.write_text('["trunk_lean"]\nunit = "deg"\nbias = 0.1\nmae = 0.2\np90 = "x"\nframes = 10\n')
    with pytest.raises(ExerciseFileError, match=r"errors.toml: key 'trunk_lean.p90': must be a finite number"):
        load_signal_errors(bad)
    bad.write_text('["wrist_flex.front"]\nunit = "deg"\nbias = 0\nmae = 0\np90 = 1\nframes = 10\n')
    with pytest.raises(ExerciseFileError, match="key 'wrist_flex.front': not a known signal"):
        load_signal_errors(bad)
    assert ERROR_TABLE.is_file()


def test_hip_extension_is_an_outcome_not_a_fault():
    spec = load_exercise("kneeling-hip-flexor")
    assert "low_hip_extension" not in spec.fault_codes
    (flexed,) = [c for c in spec.form if c.signal == "hip_ext.back"]
    assert flexed.code == "hip_flexed" and flexed.min == 0.0 and flexed.max is None
    assert [o.signal for o in spec.outcomes] == ["hip_ext.back"]


def _frame(t: float, value: float) -> FrameResult:
    return FrameResult(index=int(t * 10), t=t, found=True, xy=np.full((33, 2), np.nan), values={"hip_ext.back": value},
                       statuses={}, in_position=True, side="left", facing=1, in_hold=True, hold_good_s=0.0,
                       at_top=False, reps_done=0, cue="", cue_code="", faults=())


def test_outcome_figures_by_hand():
    # Neutral 4 deg for the first 2 s (window 0.5-1.5 s), then 14 deg: change +10, median over 0..6 s.
    log = FrameLog(["hip_ext.back"])
    for k in range(61):
        t = k / 10
        log.append(_frame(t, 4.0 if t < 2.0 else 14.0))
    f = hold_outcome(log, 0.0, 6.0, "hip_ext.back", Timing(baseline_settle_s=0.5, baseline_s=1.0))
    assert f.neutral == 4.0 and f.change == 10.0 and f.median == 14.0 and f.p90 == 14.0
    nothing = hold_outcome(log, 10.0, 12.0, "hip_ext.back", Timing())
    assert math.isnan(nothing.median) and math.isnan(nothing.change)


@pytest.mark.parametrize(("blob", "covered"), [
    ((0.3, 0.05), False),   # an arm hanging beside the trunk: inside the silhouette, near the axis
    ((0.3, 0.12), False),   # nearer the back, still well inside it
    ((0.7, 0.08), False),   # upper arm against the chest side of the trunk
    ((0.3, 0.18), True),    # a hand resting on the low back
    ((0.3, 0.25), True),    # a hand sticking out behind the back
])
def test_the_outline_is_covered_only_by_an_arm_on_it(blob, covered):
    mask, xy, vis = draw_body("upright_facing_left", 0.06, arm_blob=blob)
    m = measure_back_outline(mask, xy, vis)
    assert m.occluded == covered, m.reason
