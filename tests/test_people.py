"""People in the history: sessions recorded with a person on a hand-built database, read back with
``history --person`` and ``history --by-person`` (and its overview page, opened in headless
Chromium); hostile names are refused or stored as plain data; a schema-2 database is migrated with
every session kept; ``live --person`` names the report and the session. (``batch
--person-from-folder`` end to end: tests/test_cluster.py.)"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formcheck.errors import InputError
from formcheck.history.figures import session_hold_figures
from formcheck.history.people import summarize_people
from formcheck.history.store import MIGRATIONS, SCHEMA_VERSION, insert_session, load_history, open_history
from formcheck.report.browser import dump_dom, find_chromium
from formcheck.report.person import MAX_PERSON_CHARS, check_person
from tests.conftest import SAMPLES
from tests.media import ffmpeg
from tests.test_cli_errors import assert_one_line_error, formcheck
from tests.test_history import lunge_report

ANA, PATHY, SLASHED, MARKUP, UNICODE = "Ana", "../x", "a/b", "<b>Bo</b> & co", "Zoë 李"
base_report = cache(lunge_report)  # one simulated 40 s session, reused for every recorded one


def record(conn: sqlite3.Connection, person: str | None, days_ago: float, sides: dict[str, float],
           out_dir: Path | None = None) -> None:
    """One session of ``person`` ``days_ago`` days ago with one hold per side of the given good-form seconds."""
    report, res = base_report()
    (hold,) = report.holds
    (fig,) = session_hold_figures(res)
    holds = tuple(replace(hold, side=side, good_form_s=s) for side, s in sides.items())
    insert_session(conn, replace(report, holds=holds, person=person), [fig] * len(holds), "score", out_dir,
                   recorded_at=datetime.now(timezone.utc) - timedelta(days=days_ago))


@pytest.fixture
def people_db(tmp_path: Path) -> Path:
    """Ana three times (40, 10 and 2 days ago), one session each for the odd names, one unnamed."""
    db = tmp_path / "people.sqlite"
    conn = open_history(db)
    for i, (person, days, sides) in enumerate([
            (ANA, 40, {"right": 20.0}), (ANA, 10, {"left": 15.0, "right": 25.0}),
            (ANA, 2, {"left": 18.0, "right": 22.0}), (PATHY, 1, {"right": 10.0}), (SLASHED, 1, {"left": 5.0}),
            (MARKUP, 3, {"left": 7.0}), (UNICODE, 0.5, {"right": 12.0}), (None, 1, {"right": 30.0})]):
        out = tmp_path / "out" / f"s{i}"
        out.mkdir(parents=True)
        (out / "report.html").write_text(f"<!DOCTYPE html><title>report {i}</title>", encoding="utf-8")
        record(conn, person, days, sides, out)
    conn.close()
    return db


def test_people_summary_figures(people_db):
    conn = open_history(people_db)
    people = {p.person: p for p in summarize_people(load_history(conn))}
    conn.close()
    assert sorted(people) == sorted([ANA, PATHY, SLASHED, MARKUP, UNICODE])  # the unnamed session is nobody's
    ana = people[ANA]
    assert ana.recent == (1, 2)  # 2 days ago within 7 days; also 10 days ago within 28
    best = {b.side: (b.best_s, b.trend_s) for b in ana.sides}
    assert best == {"left": (18.0, pytest.approx(3.0)), "right": (25.0, pytest.approx(-3.0))}
    assert ana.asymmetry_s == pytest.approx(-4.0)  # latest session with both sides: left 18 vs right 22
    assert [ex for ex, _ in ana.latest_reports] == ["kneeling-hip-flexor"]
    assert ana.latest_reports[0][1].endswith("s2")
    assert people[PATHY].sides[0].trend_s is None and people[PATHY].asymmetry_s is None


def test_history_by_person_and_person_filter(people_db, tmp_path):
    p = formcheck("history", "--db", str(people_db), "--by-person", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    lines = {ln.split("  ")[0]: ln for ln in p.stdout.splitlines()}
    ana = lines[ANA].split()
    assert ana[3:5] == ["1", "2"] and "18.0 s (+3.0)" in lines[ANA] and "25.0 s (-3.0)" in lines[ANA]
    assert lines[ANA].endswith("left 4.0 s less")
    for name in (PATHY, SLASHED, MARKUP, UNICODE):
        assert name in lines, p.stdout  # stored and shown as given
    one = formcheck("history", "--db", str(people_db), "--person", ANA, "--plot", "h.png", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    assert len([ln for ln in one.stdout.splitlines() if ln.startswith("20")]) == 5  # 1 + 2 + 2 sides
    odd = formcheck("history", "--db", str(people_db), "--person", PATHY, "--plot", "h.png", cwd=tmp_path)
    assert odd.returncode == 0 and len([ln for ln in odd.stdout.splitlines() if ln.startswith("20")]) == 1
    nobody = formcheck("history", "--db", str(people_db), "--person", "Nobody", cwd=tmp_path)
    assert nobody.returncode == 0 and "no sessions for Nobody" in nobody.stdout
    both = formcheck("history", "--db", str(people_db), "--html", "o.html", cwd=tmp_path)
    assert_one_line_error(both, 2, "--by-person")


@pytest.mark.parametrize("name, needle", [("", "empty"), ("   ", "empty"), ("x" * 10_000, "at most"),
                                          ("a\nb", "one line"), ("tab\there", "one line")])
def test_unusable_names_are_refused_with_one_line(tmp_path, name, needle):
    p = formcheck("score", "missing.mp4", "-e", "bridge", "--person", name, cwd=tmp_path)
    assert_one_line_error(p, 2, "--person", needle)
    assert not (tmp_path / "formcheck-out").exists()


@given(st.text(max_size=300))
def test_any_name_is_refused_or_kept_as_one_line_of_data(name):
    try:
        kept = check_person(name)
    except InputError:
        return
    assert kept and len(kept) <= MAX_PERSON_CHARS and "\n" not in kept and kept == kept.strip()


def test_path_like_names_are_plain_data():
    assert check_person(PATHY) == PATHY and check_person(SLASHED) == SLASHED
    assert check_person("Zoe\u0308") == "Zoë"  # stored in one (NFC) spelling, so --person finds it


def test_schema_2_database_keeps_its_sessions(tmp_path):
    db = tmp_path / "old.sqlite"
    open_history(db, migrations=MIGRATIONS[:2]).close()
    with sqlite3.connect(db) as old:
        old.execute("INSERT INTO sessions (recorded_at, exercise, source, mode, duration_s, detection_rate, score, "
                    "target_s, report_schema, formcheck_version, partial) VALUES ('2026-11-01T10:00:00Z', "
                    "'kneeling-hip-flexor', 'old.mp4', 'score', 40, 1, 50, 30, '1.1', '0.1', 1)")
    old.close()
    conn = open_history(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
    record(conn, ANA, 0, {"right": 9.0})
    rows = load_history(conn)
    conn.close()
    assert [(r.source, r.partial, r.person) for r in rows] == [("old.mp4", True, None), ("clip.mp4", False, ANA)]


class _Rows(HTMLParser):
    """Each table row's text cells and link targets from the rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[list[str], list[str]]] = []
        self.in_cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "tr" and ("class", "person") in attrs:
            self.rows.append(([], []))
        elif tag == "td" and self.rows:
            self.rows[-1][0].append("")
            self.in_cell = True
        elif tag == "a" and self.rows:
            self.rows[-1][1].append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag == "td":
            self.in_cell = False

    def handle_data(self, data):
        if self.in_cell and self.rows:
            self.rows[-1][0][-1] += data


@pytest.mark.slow
@pytest.mark.skipif(find_chromium() is None, reason="no Chromium on PATH (Debian: apt-get install chromium; "
                    ".ci/run installs it)")
def test_overview_page_in_chromium(people_db, tmp_path):
    page = tmp_path / "pages" / "overview.html"
    page.parent.mkdir()
    p = formcheck("history", "--db", str(people_db), "--by-person", "--html", str(page), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    source = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", source), "the page needs nothing from the network"
    parser = _Rows()
    parser.feed(dump_dom(page))
    by_name = {cells[0]: links for cells, links in parser.rows}
    assert set(by_name) == {ANA, PATHY, SLASHED, MARKUP, UNICODE}  # markup in a name is shown as text
    assert "<b>" not in source
    for links in by_name.values():
        (href,) = links
        target = (page.parent / unquote(href)).resolve()
        assert target.name == "report.html" and target.is_file()  # the latest report, reachable from the page
    assert Path(unquote(by_name[ANA][0])).parent.name == "s2"


@pytest.mark.slow
def test_live_session_names_the_person(tmp_path, history_db):
    ffmpeg("-i", SAMPLES / "lunge_left_no_tilt.mp4", "-t", "5", "-vf", "scale=320:-2", "-an", tmp_path / "clip.mp4")
    p = formcheck("live", "-e", "kneeling-hip-flexor", "--source", "clip.mp4", "--no-window", "--no-sound",
                  "--no-video", "--person", UNICODE, "--out", "lv", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads((tmp_path / "lv/report.json").read_text(encoding="utf-8"))["person"] == UNICODE
    conn = open_history(history_db)
    assert [r.person for r in load_history(conn)] == [UNICODE]
    conn.close()
