"""Whatever an exercise file holds, loading it gives a valid spec or one ExerciseFileError whose single
line names the file (and, for a file that parses, the key) — never another exception, and quickly
(hypothesis' ``deadline``). Documents are generated shaped like exercise files (valid and invalid keys,
values and types mixed), as TOML-ish token soup, as arbitrary text and bytes, and as edits of the
bundled files; a few bad ones also go through ``formcheck explain FILE`` (exit 4, one line)."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomllib
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from formcheck.errors import ExerciseFileError
from formcheck.exercises import ExerciseSpec, available_exercises, load_exercise, load_exercise_file
from formcheck.exercises.explain import explain_exercise
from formcheck.exercises.spec import EXERCISE_DIR, MAX_ENTRIES
from formcheck.exercises.toml_read import MAX_DOTS_PER_LINE, MAX_FILE_BYTES
from tests.test_cli_errors import assert_one_line_error, formcheck

# Loading takes milliseconds; the deadline only catches a loader that slows down with the input's size.
LOAD = settings(max_examples=150, deadline=timedelta(seconds=2),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# --- a small TOML writer: everything inline, so any nested value is one ``key = value`` line ---

def toml_value(v: Any) -> str:
    """``v`` as a TOML value (strings as basic strings, tables inline)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):  # JSON escapes are TOML escapes; TOML also wants DEL escaped
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{toml_value(str(k))} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_document(data: dict[str, Any]) -> str:
    return "".join(f"{toml_value(k)} = {toml_value(v)}\n" for k, v in data.items())


# --- documents shaped like exercise files: a plausible file, then a few keys broken ---

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
number = st.one_of(st.integers(-5, 400), st.floats(-1e3, 1e3), st.floats(), st.integers(-10**400, 10**400))
anything = st.recursive(st.one_of(number, st.booleans(), text, st.dates()),
                        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
                        max_leaves=6)
SIGNALS = ["knee.front", "knee.back", "trunk_lean", "trunk_tilt", "leg_split", "hip_lift.near", "bridge_line.near",
           "hip_ext.back", "back_curvature"]
KEYS = ["name", "title", "mode", "target_s", "position", "form", "sides", "needs_outline", "timing", "reps", "outcome",
        "id", "signal", "min", "max", "hysteresis", "relative", "code", "message", "cue", "priority", "when",
        "baseline_tolerance", "grace_s", "baseline_s", "start_above", "end_below", "top_above", "label", "colour"]


@st.composite
def criterion(draw: st.DrawFn, ident: str, form: bool) -> dict[str, Any]:
    """A criterion table as the loader wants it (its id given, unique in the file)."""
    c: dict[str, Any] = {"id": ident, "signal": draw(st.sampled_from(SIGNALS))}
    bound = draw(st.floats(-200, 200))
    if draw(st.booleans()):
        c["min"] = bound
    if "min" not in c or draw(st.booleans()):
        c["max"] = bound + draw(st.floats(0.5, 100))
    if form:
        c.update(code=draw(st.sampled_from(["f1", "f2", "f3"])), message=draw(text), cue=draw(text))
        c["when"] = draw(st.sampled_from(["always", "top"]))
    if draw(st.booleans()):
        c.update(hysteresis=draw(st.floats(0, 10)), priority=draw(st.integers(0, 9)), why=draw(text))
    if form and draw(st.booleans()):
        c["relative"] = True
        c["baseline_tolerance"] = draw(st.floats(0.001, 1))
    return c


@st.composite
def exercise_file_data(draw: st.DrawFn) -> dict[str, Any]:
    """A plausible exercise file (valid more often than not)."""
    mode = draw(st.sampled_from(["hold", "reps"]))
    doc: dict[str, Any] = {"name": draw(text), "title": draw(text), "mode": mode, "target_s": draw(st.floats(0.1, 99)),
                           "sides": draw(st.sampled_from(["back_leg", "none"])), "needs_outline": draw(st.booleans())}
    doc["timing"] = {k: draw(st.floats(0.1, 3)) for k in ("debounce_s", "grace_s", "baseline_settle_s", "baseline_s")}
    n_pos, n_form = draw(st.integers(1, 3)), draw(st.integers(0, 4))
    doc["position"] = [draw(criterion(f"p{i}", form=False)) for i in range(n_pos)]
    doc["form"] = [draw(criterion(f"f{i}", form=True)) for i in range(n_form)]
    doc["outcome"] = [{"signal": draw(st.sampled_from(SIGNALS)), "label": draw(text)}
                      for _ in range(draw(st.integers(0, 2)))]
    if mode == "reps":
        start, gap = draw(st.floats(0.05, 0.5)), draw(st.floats(0.01, 0.05))
        doc["reps"] = {"signal": draw(st.sampled_from(SIGNALS)), "start_above": start, "end_below": start - gap,
                       "top_above": start + gap, "top_max_rate": draw(st.floats(0.01, 1))}
    return doc


@st.composite
def exercise_like(draw: st.DrawFn) -> dict[str, Any]:
    """A plausible exercise file with up to three keys (anywhere in it) deleted or set to anything at all."""
    doc = draw(exercise_file_data())
    for _ in range(draw(st.integers(0, 3))):
        tables = [doc, *(v for v in doc.values() if isinstance(v, dict)),
                  *(t for v in doc.values() if isinstance(v, list) for t in v if isinstance(t, dict))]
        table = draw(st.sampled_from(tables))
        key = draw(st.sampled_from([*KEYS, ""])) or draw(text)  # mostly a key the loader knows somewhere
        if key in table and draw(st.booleans()):
            del table[key]
        else:
            table[key] = draw(anything)
    return doc


TOKENS = ["[[form]]\n", "[[position]]\n", "[timing]\n", "[reps]\n", 'mode = "hold"\n', 'mode = "reps"\n',
          "target_s = ", 'signal = "knee.front"\n', 'signal = "back_curvature"\n', "min = ", "max = ", "id = ",
          "needs_outline = true\n", "[", "]", "{", "}", "=", ",", '"', "'", "\n", " ", "1", "-0.5", "1e999",
          "nan", "x", ".", "#", "true", '"""', "9" * 30, "1979-05-27"]
toml_soup = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


# --- checking one load ---

@pytest.fixture(scope="module")
def exercise_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file each example is written to (one per module: hypothesis reruns the test body)."""
    return tmp_path_factory.mktemp("exercise") / "generated.toml"


def check_load(path: Path, parses: bool) -> ExerciseSpec | None:
    """Load ``path``: a spec that explains itself, or one bounded line naming the file (and the key
    when the document parses). Any other exception fails the test."""
    try:
        spec = load_exercise_file(path)
    except ExerciseFileError as e:
        msg = str(e)
        assert msg.startswith(f"{path}: "), msg
        assert len(msg.splitlines()) == 1 and len(msg) < 600, msg
        if parses:
            assert msg.startswith(f"{path}: key '"), msg
        event(f"refused: {msg[len(str(path)) + 2:][:28]}")  # what the examples exercise (--hypothesis-show-statistics)
        return None
    event("a valid spec")
    assert spec.position and all(c.min is None or c.max is None or c.min < c.max for c in (*spec.position,
                                                                                          *spec.form))
    assert explain_exercise(spec)
    return spec


@LOAD
@given(doc=exercise_like())
def test_exercise_shaped_documents_load_or_name_the_key(exercise_file, doc):
    exercise_file.write_text(toml_document(doc), encoding="utf-8")
    check_load(exercise_file, parses=True)


@LOAD
@given(doc=st.one_of(toml_soup, st.text()))
def test_any_text_loads_or_fails_with_one_line(exercise_file, doc):
    exercise_file.write_text(doc, encoding="utf-8")
    check_load(exercise_file, parses=False)


@LOAD
@given(raw=st.binary(max_size=300))
def test_any_bytes_load_or_fail_with_one_line(exercise_file, raw):
    exercise_file.write_bytes(raw)
    check_load(exercise_file, parses=False)


@LOAD
@given(name=st.sampled_from(available_exercises()), data=st.data())
def test_edited_bundled_files_load_or_fail_with_one_line(exercise_file, name, data):
    text = (EXERCISE_DIR / f"{name}.toml").read_text()
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 40)))
    exercise_file.write_text(text[:start] + data.draw(toml_soup) + text[end:], encoding="utf-8")
    check_load(exercise_file, parses=False)


@pytest.mark.parametrize("name", available_exercises())
def test_the_writer_round_trips_the_bundled_files(exercise_file, name):
    # The generated documents are only as good as the writer: a bundled file rewritten by it loads the same.
    bundled = load_exercise(name)
    exercise_file.write_text(toml_document(tomllib.loads((EXERCISE_DIR / f"{name}.toml").read_text())))
    again = load_exercise_file(exercise_file)
    assert again.form == bundled.form and again.position == bundled.position and again.reps == bundled.reps


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=exercise_like())
def test_bad_generated_files_exit_4_with_one_line_on_the_command_line(tmp_path, doc):
    path = tmp_path / "generated.toml"
    path.write_text(toml_document(doc), encoding="utf-8")
    try:
        load_exercise_file(path)
    except ExerciseFileError as e:
        expected = str(e)
    else:
        assume(False)  # a valid file: not what this test is about
    line = assert_one_line_error(formcheck("explain", str(path), cwd=tmp_path), 4)
    assert line == f"formcheck: error: {expected}"


# --- hostile files met while writing the properties (by them or by hand), and the limits, as plain tests ---

HEAD = 'name = "x"\ntitle = "X"\nmode = "hold"\n'
POSITION = '[[position]]\nid = "p"\nsignal = "knee.front"\nmin = 1\n'


def criteria(n: int) -> str:
    return "".join(f'[[form]]\nid = "f{i}"\nsignal = "knee.front"\nmin = 1\ncode = "c"\nmessage = "m"\ncue = "c"\n'
                   for i in range(n))


HOSTILE = {
    "deeply nested array": ("a = " + "[" * 3000 + "]" * 3000, "nested too deeply"),
    "5000-digit integer": (HEAD + "target_s = " + "9" * 5000, "not valid TOML: Exceeds the limit"),
    "400-digit integer": (HEAD + "target_s = " + "9" * 400, "key 'target_s': must be a finite number, got 999"),
    "key with a line break": (HEAD + 'target_s = 1\n"a\\nb" = 1\n', "key 'a\\nb': unknown key"),
    "200 KB value": (HEAD.replace('"hold"', '"' + "h" * 200_000 + '"'), "got 'hhhh"),
    "too many criteria": (HEAD + "target_s = 30\n" + POSITION + criteria(MAX_ENTRIES + 1),
                          f"key 'form': {MAX_ENTRIES + 1} entries, at most {MAX_ENTRIES} allowed"),
    "more than the byte limit": (HEAD + "target_s = 30\n" + POSITION + "#" * MAX_FILE_BYTES + "\n",
                                 f"more than {MAX_FILE_BYTES // 1024} KB"),
    # tomllib's time grows with the square of a dotted key's length: this one alone took seconds
    "8000-part dotted key": (HEAD + "a" + ".a" * 8000 + " = 1\n",
                             f"line 4: more than {MAX_DOTS_PER_LINE} dots outside strings"),
    "duplicate criterion id": (HEAD + "target_s = 30\n" + POSITION + criteria(3).replace('"f2"', '"f0"'),
                               "key 'form[2].id': criterion id 'f0' is used twice"),
    "outline signal without needs_outline": (
        (EXERCISE_DIR / "kneeling-hip-flexor.toml").read_text().replace("needs_outline = true", ""),
        "key 'form[2].signal': 'back_curvature' is measured on the person-mask outline, which is only computed "
        "with needs_outline = true: add that line at the top of the file"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_fail_with_one_line_naming_file_and_key(tmp_path, case):
    text, needle = HOSTILE[case]
    path = tmp_path / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExerciseFileError) as e:
        load_exercise_file(path)
    msg = str(e.value)
    assert msg.startswith(f"{path}: ") and needle in msg and len(msg.splitlines()) == 1 and len(msg) < 600, msg


def test_as_many_criteria_as_allowed_load(tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(HEAD + "target_s = 30\n" + POSITION + criteria(MAX_ENTRIES))
    assert len(load_exercise_file(path).form) == MAX_ENTRIES


def test_outline_signal_without_needs_outline_exits_4(tmp_path):
    text, needle = HOSTILE["outline signal without needs_outline"]
    (tmp_path / "no-outline.toml").write_text(text)
    assert_one_line_error(formcheck("explain", "no-outline.toml", cwd=tmp_path), 4, "no-outline.toml", needle)


def test_outline_signal_in_reps_is_refused_too(tmp_path):
    path = tmp_path / "bridge-outline.toml"
    path.write_text((EXERCISE_DIR / "bridge.toml").read_text().replace('"hip_lift.near"', '"back_curvature"', 1))
    with pytest.raises(ExerciseFileError, match=r"key 'reps\.signal': 'back_curvature' is measured on the person"):
        load_exercise_file(path)
    path.write_text("needs_outline = true\n" + path.read_text())
    assert load_exercise_file(path).reps.signal == "back_curvature"
