"""The routine's exercise files: seven bundled, each explained in plain words, per-side roles valid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from formcheck.errors import ExerciseFileError
from formcheck.exercises import available_exercises, load_exercise
from formcheck.exercises.explain import explain_exercise

NEW = ("standing-quad-stretch", "low-lunge-twist", "glute-kickback", "upward-dog")


def test_seven_exercises_are_listed():
    out = subprocess.run([sys.executable, "-m", "formcheck", "exercises"], capture_output=True, text=True, check=True)
    names = [line.split()[0] for line in out.stdout.splitlines() if line.strip()]
    assert len(names) == 7 and set(NEW) <= set(names) == set(available_exercises())


@pytest.mark.parametrize("name", NEW)
def test_explain_names_every_check_its_cue_and_the_stretched_side(name):
    spec = load_exercise(name)
    text = explain_exercise(spec)
    for c in spec.form:
        assert c.code in text and c.cue in text and c.message in text
    for c in spec.position:
        assert c.why in text
    if spec.per_side:
        assert spec.side_words in text
    assert "not judged" in text


def test_quad_stretch_and_kickback_are_timed_on_the_lifted_leg():
    assert load_exercise("standing-quad-stretch").side_role == "lifted"
    assert load_exercise("glute-kickback").side_role == "lifted"
    assert load_exercise("low-lunge-twist").side_role == "back"
    assert not load_exercise("upward-dog").per_side


def test_unknown_side_role_names_the_key(tmp_path):
    text = Path(load_exercise("standing-quad-stretch").path).read_text()
    text = text.replace('sides = "lifted_leg"', 'sides = "held_leg"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(ExerciseFileError, match="key 'sides'.*lifted_leg"):
        load_exercise(str(bad))



def test_exercises_check_validates_a_file(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "formcheck", "exercises", "--check",
                         load_exercise("upward-dog").path], capture_output=True, text=True)
    assert ok.returncode == 0 and "valid exercise file" in ok.stdout and "arms_bent" in ok.stdout
    bad = tmp_path / "mine.toml"
    bad.write_text(Path(load_exercise("upward-dog").path).read_text().replace("hysteresis = 5.0", "hyst = 5.0", 1))
    out = subprocess.run([sys.executable, "-m", "formcheck", "exercises", "--check", str(bad)],
                         capture_output=True, text=True)
    assert out.returncode == 4 and "Traceback" not in out.stderr
    assert f"{bad}: key 'form[0].hyst': unknown key" in out.stderr
    missing = subprocess.run([sys.executable, "-m", "formcheck", "exercises", "--check", str(tmp_path / "no.toml")],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_the_worked_example_in_the_docs_is_a_valid_exercise(tmp_path):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "exercises.md").read_text()
    block = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "wall-sit.toml"
    path.write_text(block)
    spec = load_exercise(str(path))
    assert spec.name == "wall-sit" and spec.fault_codes == ("too_shallow", "too_deep", "trunk_forward")
