"""``score --routine``: the split of a recording into steps (plain data), bad arguments, and the
acceptance test on a rendered recording of the whole routine (slow: renders ~68 s of video)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from formcheck.judge.segments import split_in_order


def frames(n: int, *spans: tuple[int, int]) -> np.ndarray:
    e = np.zeros(n, dtype=bool)
    for a, b in spans:
        e[a:b] = True
    return e


def test_split_puts_each_boundary_half_way_across_a_transition():
    left, right = frames(100, (10, 40)), frames(100, (60, 90))
    assert split_in_order([left, right], [1.0, 1.0]) == [(0, 50), (50, 100)]


def test_split_gives_an_overlap_to_the_more_specific_position():
    # bridge position (lying, knees bent) holds over both steps; the supported bridge's only over its own hold
    lying, on_block = frames(100, (10, 95)), frames(100, (60, 95))
    spans = split_in_order([lying, on_block], [1 / lying.sum(), 1 / on_block.sum()])
    assert spans == [(0, 60), (60, 100)]


def test_split_keeps_routine_order_and_leaves_a_step_never_seen_empty():
    a, b = frames(50, (0, 20)), frames(50)
    spans = split_in_order([a, b, a], [1.0, 1.0, 1.0])
    assert [s for s in spans if s[0] == s[1]] and spans[0][0] == 0 and spans[-1][1] == 50
    assert all(spans[i][1] == spans[i + 1][0] for i in range(2))


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "formcheck", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=900)


@pytest.mark.parametrize(("args", "needle"), [
    (("--routine", "nope"), "unknown routine 'nope'"),
    (("--routine", "psoas-release", "--exercise", "bridge"), "leave out --exercise and --side"),
    ((), "give --exercise NAME"),
])
def test_bad_routine_arguments_are_one_line_exit_2(tmp_path, args, needle):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"not read: the arguments fail first")
    run = cli("score", str(video), *args, "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and needle in run.stderr and "Traceback" not in run.stderr


@pytest.fixture(scope="module")
def routine_clip(tmp_path_factory) -> tuple[Path, dict]:
    from formcheck.synth.routine_clip import render_routine_clip

    video, gt = render_routine_clip(tmp_path_factory.mktemp("routine_clip"))
    return video, json.loads(gt.read_text())


def truth_span(step: dict) -> tuple[float, float]:
    items = step["reps"] or step["holds"]
    return items[0]["start_s"], items[-1]["end_s"]


@pytest.mark.slow
def test_a_recorded_routine_is_split_into_its_steps_each_judged_as_if_alone(routine_clip, tmp_path):
    video, gt = routine_clip
    out = tmp_path / "routine"
    run = cli("score", str(video), "--routine", "psoas-release", "--out", str(out), "--quiet", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    doc = json.loads((out / "routine.json").read_text())
    assert [(s["exercise"], s["side"]) for s in doc["steps"]] == [(s["exercise"], s["side"]) for s in gt["steps"]]
    assert (out / "routine.html").read_text().count("<section>") == 4
    for got, true in zip(doc["steps"], gt["steps"], strict=True):
        t0, t1 = truth_span(true)
        assert abs(got["active_start_s"] - t0) <= 1.0 and abs(got["active_end_s"] - t1) <= 1.0, (got, t0, t1)
        # the same part of the recording, scored alone as its own video
        alone = tmp_path / f"alone{got['step']}"
        side = ["--side", true["side"]] if true["side"] != "both" else []
        solo = cli("score", str(video.parent / true["video"]), "-e", true["exercise"], *side, "--out", str(alone),
                   "--no-video", "--no-history", "--quiet", cwd=tmp_path)
        assert solo.returncode == 0, solo.stderr
        a = json.loads((alone / "report.json").read_text())
        r = json.loads((out / got["folder"] / "report.json").read_text())
        offset = true["start_s"]
        if true["reps"]:
            done_a = [x for x in a["reps"] if x["complete"]]
            done_r = [x for x in r["reps"] if x["complete"]]
            assert len(done_r) == len(done_a) == len(true["reps"])
            for x, y in zip(done_r, done_a, strict=True):
                assert abs(x["top_hold_s"] - y["top_hold_s"]) <= 0.2
                assert abs(x["start_s"] - (y["start_s"] + offset)) <= 0.2
        else:
            assert len(r["holds"]) == len(a["holds"]) >= 1
            for x, y in zip(r["holds"], a["holds"], strict=True):
                assert abs(x["good_form_s"] - y["good_form_s"]) <= 0.2, (x, y)
                assert abs(x["start_s"] - (y["start_s"] + offset)) <= 0.2
                assert abs(x["end_s"] - (y["end_s"] + offset)) <= 0.2
