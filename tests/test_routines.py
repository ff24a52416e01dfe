"""Routine files: the bundled one loads and reads back as the source material says; every kind of
malformed file is refused with one line naming the file, the key and the problem (exit 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from formcheck.errors import ExerciseFileError, InputError
from formcheck.routines import available_routines, load_routine, load_routine_file

GOOD = """name = "mine"
title = "My routine"
[plan]
sessions_per_day_min = 1
days_per_week = 3
[[step]]
exercise = "kneeling-hip-flexor"
side = "left"
target_s = 20
rest_s = 5
[[step]]
exercise = "bridge"
target_reps = 4
"""


def write(tmp_path: Path, text: str, name: str = "r.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_bundled_psoas_release_follows_the_source():
    assert "psoas-release" in available_routines()
    r = load_routine("psoas-release")
    assert [(s.exercise.name, s.side) for s in r.steps] == [
        ("kneeling-hip-flexor", "left"), ("kneeling-hip-flexor", "right"), ("bridge", "both"),
        ("supported-bridge", "both")]
    assert [s.target_s for s in r.steps] == [30.0, 30.0, None, 300.0]  # EXERCISES.md 1 and 2
    assert r.steps[2].target_reps == 10
    assert (r.plan.sessions_per_day_min, r.plan.sessions_per_day_max, r.plan.days_per_week) == (1, 2, 5)
    assert all(s.why for s in r.steps)


def test_a_user_file_with_defaults_and_a_relative_exercise_path(tmp_path):
    ex = Path(load_routine("psoas-release").steps[3].exercise.path).read_text()
    write(tmp_path, ex, "sb.toml")
    r = load_routine(str(write(tmp_path, GOOD + '[[step]]\nexercise = "sb.toml"\n')))
    assert r.plan.sessions_per_day_max == 1  # defaults to the minimum
    assert r.steps[0].rest_s == 5.0 and r.steps[1].rest_s == 0.0
    assert r.steps[2].exercise.name == "supported-bridge" and r.steps[2].target_s == 300.0  # the exercise's target


@pytest.mark.parametrize(("change", "key", "problem"), [
    (("title = \"My routine\"\n", ""), "title", "missing"),
    (("days_per_week = 3", "days_per_week = 8"), "plan.days_per_week", "1 to 7"),
    (("days_per_week = 3", "days_per_week = \"3\""), "plan.days_per_week", "must be a int"),
    (("sessions_per_day_min = 1", "sessions_per_day_min = 2\nsessions_per_day_max = 1"),
     "plan.sessions_per_day_max", "from sessions_per_day_min"),
    (("[plan]", "colour = 1\n[plan]"), "colour", "unknown key"),
    (('exercise = "bridge"', 'exercise = "skipping"'), "step[1].exercise", "unknown exercise 'skipping'"),
    (('exercise = "bridge"', 'exercise = "gone.toml"'), "step[1].exercise", "exercise file not found"),
    (('side = "left"', 'side = "up"'), "step[0].side", "must be one of left, right, both"),
    (('side = "left"', 'side = "both"'), "step[0].side", "timed per side"),
    (('target_reps = 4', 'target_reps = 4\nside = "left"'), "step[1].side", "not timed per side"),
    (('target_reps = 4', 'target_s = 4.0'), "step[1].target_s", "counts reps"),
    (('target_reps = 4', 'rest_s = 1.0'), "step[1].target_reps", "missing"),
    (('target_reps = 4', 'target_reps = 0'), "step[1].target_reps", "1 to 1000"),
    (('target_s = 20', 'target_reps = 20'), "step[0].target_reps", "is a hold"),
    (('target_s = 20', 'target_s = -1'), "step[0].target_s", "> 0"),
    (('rest_s = 5', 'rest_s = -5'), "step[0].rest_s", "0 to 3600"),
    (('rest_s = 5', 'rest_s = inf'), "step[0].rest_s", "finite"),
    (('rest_s = 5', 'rests = 5'), "step[0].rests", "unknown key"),
])
def test_each_kind_of_bad_file_names_file_key_and_problem(tmp_path, change, key, problem):
    text = GOOD.replace(*change)
    assert text != GOOD
    path = write(tmp_path, text)
    with pytest.raises(ExerciseFileError) as e:
        load_routine_file(path)
    msg = str(e.value)
    assert "\n" not in msg and str(path) in msg and f"key '{key}'" in msg and problem in msg, msg


@pytest.mark.parametrize(("text", "problem"), [
    ("name = ", "not valid TOML"),
    (GOOD.replace("[[step]]", "[[steps]]"), "key 'steps': unknown key"),
    (GOOD.split("[[step]]")[0], "key 'step': missing"),
    ("step = []\n" + GOOD.split("[[step]]")[0], "needs at least one [[step]]"),
    ("step = [1]\n" + GOOD.split("[[step]]")[0], "key 'step[0].': must be a table"),
    ("x" * 300_000, "a routine file is a few KB"),
])
def test_bad_whole_files(tmp_path, text, problem):
    with pytest.raises(ExerciseFileError, match="routine|key|TOML") as e:
        load_routine_file(write(tmp_path, text))
    assert problem in str(e.value)


def test_a_broken_exercise_file_keeps_its_own_message(tmp_path):
    write(tmp_path, 'name = "x"\n', "broken.toml")
    with pytest.raises(ExerciseFileError, match=r"broken\.toml: key 'mode': missing"):
        load_routine_file(write(tmp_path, GOOD.replace('exercise = "bridge"', 'exercise = "broken.toml"')))


def test_unknown_routine_name_is_bad_input():
    with pytest.raises(InputError, match="unknown routine 'nope' — choose one of: .*psoas-release"):
        load_routine("nope")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "formcheck", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_cli_lists_explains_and_refuses_with_exit_4(tmp_path):
    listed = cli("routines", cwd=tmp_path)
    assert listed.returncode == 0 and listed.stdout.startswith("psoas-release ") and "4 steps" in listed.stdout
    shown = cli("explain-routine", "psoas-release", cwd=tmp_path)
    assert shown.returncode == 0
    assert "1 to 2 sessions a day, 5 days a week" in shown.stdout
    assert "left side: hold 30 s of good form" in shown.stdout and "10 reps, 2 s at the top" in shown.stdout
    bad = write(tmp_path, GOOD.replace("days_per_week = 3", "days_per_week = 0"))
    refused = cli("explain-routine", str(bad), cwd=tmp_path)
    assert refused.returncode == 4 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "plan.days_per_week" in refused.stderr
    assert "Traceback" not in refused.stderr
