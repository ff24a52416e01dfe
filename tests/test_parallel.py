"""Pose in worker processes and ``--workers N``: span planning, reading a span of a real video file,
the background reader, and (slow) a sample clip scored with 2 workers against 1 worker.

The tolerance for 2 workers vs 1 comes from measurements on the six sample clips and three real
clips (see README, Speed): the only differences come from MediaPipe re-acquiring the person in the
first frames after a cut, which moves fault seconds by a few frames and nothing else.
"""

from __future__ import annotations

import json
import math

import cv2
import pytest

from formcheck.errors import InputError
from formcheck.media.prefetch import Prefetched
from formcheck.media.sources import open_source
from formcheck.pose.worker import Span
from formcheck.run.pipeline import MIN_SPAN_S, WARMUP_S, parse_workers, plan_spans
from formcheck.run.score import run_score
from tests.conftest import SAMPLES


def test_one_worker_or_unknown_length_is_one_span():
    assert plan_spans(900, 30.0, 1) == [Span(0, None)]
    assert plan_spans(0, 30.0, 4) == [Span(0, None)]


def test_spans_cover_every_frame_once_with_a_warmup_before_each_cut():
    spans = plan_spans(1001, 30.0, 3)
    assert len(spans) == 3
    assert spans[0] == Span(0, 334, 0)
    assert [s.start for s in spans[1:]] == [334, 667] and spans[-1].stop is None
    assert all(s.warmup == math.ceil(WARMUP_S * 30) for s in spans[1:])
    assert spans[1].first_decoded == 334 - 60


def test_short_video_uses_fewer_workers():
    frames = int(1.5 * MIN_SPAN_S * 30)  # room for one span of MIN_SPAN_S, not two
    assert len(plan_spans(frames, 30.0, 4)) == 1
    assert len(plan_spans(int(2.2 * MIN_SPAN_S * 30), 30.0, 4)) == 2


@pytest.mark.parametrize("text,needle", [("0", "at least 1"), ("-2", "at least 1"), ("two", "whole number"),
                                         ("10000", "cores")])
def test_bad_worker_counts(text, needle):
    with pytest.raises(InputError, match=needle):
        parse_workers(text)


def test_worker_count_parses():
    assert parse_workers("2") == 2


def test_a_span_of_a_video_equals_the_same_frames_read_from_the_start():
    video = SAMPLES / "bridge_reps_sag.mp4"
    full = [f for f in open_source(video, max_side=320) if 40 <= f.index < 50]
    part = list(open_source(video, max_side=320).frames(40, 50))
    assert [f.index for f in part] == list(range(40, 50))
    assert [f.t for f in part] == [f.t for f in full]
    assert all((a.image == b.image).all() for a, b in zip(part, full, strict=True))


def test_a_span_past_the_end_is_empty_and_notes_nothing_new():
    src = open_source(SAMPLES / "bridge_reps_sag.mp4", max_side=160)
    n = src.info.frame_count
    assert list(src.frames(n + 10, n + 20)) == []
    assert src.info.decode_errors == []


def test_background_reader_keeps_order_and_reraises_errors():
    def items():
        yield from range(5)
        raise ValueError("broken at 5")

    got = []
    with Prefetched(items(), depth=2) as it, pytest.raises(ValueError, match="broken at 5"):
        for x in it:
            got.append(x)
    assert got == [0, 1, 2, 3, 4]


def test_background_reader_stops_early_on_close():
    seen = []

    def items():
        for i in range(10_000):
            seen.append(i)
            yield i

    it = Prefetched(items(), depth=3)
    assert next(it) == 0
    it.close()
    assert len(seen) < 100


@pytest.mark.slow
def test_two_workers_match_one_worker_on_a_hold_across_the_cut(tmp_path):
    # lunge_left_ppt: one hold on the left, 2.3-42.4 s; 2 workers cut the 44 s clip at ~22 s, inside it.
    video = SAMPLES / "lunge_left_ppt.mp4"
    one = run_score(video, "kneeling-hip-flexor", tmp_path / "w1", write_video=False, progress=False).report.to_json()
    two = run_score(video, "kneeling-hip-flexor", tmp_path / "w2", write_video=True, progress=False,
                    workers=2).report.to_json()
    assert two["frames"] == one["frames"] and two["frames_with_pose"] == one["frames_with_pose"]
    assert len(one["holds"]) == len(two["holds"]) == 1  # the hold across the cut stays one hold
    a, b = one["holds"][0], two["holds"][0]
    assert a["start_s"] < 20 < a["end_s"], "the cut must fall inside the hold for this test to mean anything"
    assert b["side"] == a["side"]
    assert b["start_s"] == pytest.approx(a["start_s"], abs=0.2)
    assert b["end_s"] == pytest.approx(a["end_s"], abs=0.2)
    assert b["good_form_s"] == pytest.approx(a["good_form_s"], abs=0.5)
    assert two["score"] == pytest.approx(one["score"], abs=2.0)
    # The annotated video drawn from the stitched results has every frame.
    cap = cv2.VideoCapture(str(tmp_path / "w2" / "annotated.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == two["frames"]
    cap.release()
    frames_csv = (tmp_path / "w2" / "frames.csv").read_text().splitlines()
    assert len(frames_csv) == two["frames"] + 1
    assert [int(r.split(",")[0]) for r in frames_csv[1:]] == list(range(two["frames"]))
    assert json.loads((tmp_path / "w2" / "report.json").read_text())["score"] == two["score"]
