"""Session history: figures from hand-built frames, the SQLite store (migrations, damaged and foreign
files left untouched, two processes writing at once), and the ``formcheck history`` command."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from formcheck.errors import HistoryError
from formcheck.exercises import load_exercise
from formcheck.history.figures import fault_onsets, hold_figures
from formcheck.history.plot import SIDE_COLORS
from formcheck.history.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    default_db_path,
    insert_session,
    load_history,
    open_history,
    record_session,
)
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.holds import HoldRecord
from formcheck.judge.session import SessionResult
from formcheck.media.frame import SourceInfo
from formcheck.report.json_report import build_report
from formcheck.report.model import FaultTime, RepReport
from tests.test_cli_errors import assert_one_line_error, formcheck
from tests.test_report import lunge_session

REPO = Path(__file__).resolve().parents[1]


def frame(i: int, t: float, values: dict[str, float], faults: tuple[str, ...] = ()) -> FrameResult:
    return FrameResult(index=i, t=t, found=True, xy=np.full((33, 2), np.nan), values=values, statuses={},
                       in_position=True, side="left", facing=1, in_hold=True, hold_good_s=0.0, at_top=False,
                       reps_done=0, cue="", cue_code="", faults=faults)


# ---------------------------------------------------------------- figures from hand-built frames


def test_hold_figures_by_hand():
    spec = load_exercise("kneeling-hip-flexor")  # baseline 0.5 s after the hold starts, for 1.0 s
    frames = []
    for i in range(101):  # hold 0-10 s at 10 frames/s
        t = i / 10
        hip = 60.0 if i == 50 else 10.0 + 0.1 * i  # one glitch frame
        curv = 0.06 if t <= 1.5 else 0.04  # flatter back after the baseline: posterior tilt
        if 70 <= i < 75:
            curv = float("nan")  # hand over the back: not measured
        faults = ()
        if 20 <= i < 30:
            faults = ("trunk_forward",)
        elif 40 <= i < 45:
            faults = ("trunk_forward", "low_hip_extension")
        elif 45 <= i < 50:
            faults = ("low_hip_extension",)
        frames.append(frame(i, t, {"hip_ext.back": hip, "back_curvature": curv}, faults))
    frames += [frame(101 + k, 10.1 + 0.1 * k, {"hip_ext.back": 90.0}, ("trunk_forward",)) for k in range(0, 20, 2)]
    result = SessionResult(spec, frames, [HoldRecord("left", 0.0, 10.0)], [], 640, 480)
    f = hold_figures(result, 0.0, 10.0)
    # 90th percentile of 10.0..20.0 with 15.0 replaced by 60: sorted index 90 is 19.1 (the glitch and the
    # frames after the hold do not set the peak).
    assert f.peak_hip_ext_deg == pytest.approx(19.1)
    # Curvature change -0.02 at -0.0025 per degree of posterior tilt: +8 deg (posterior).
    assert f.tilt_change_deg == pytest.approx(8.0)
    # Onsets: trunk_forward at 2.0 s and again at 4.0 s, low_hip_extension at 4.0 s; 3 in 10 s.
    assert fault_onsets(frames[:101]) == 3
    assert f.faults_per_min == pytest.approx(18.0)


def test_hold_figures_when_nothing_is_measured():
    spec = load_exercise("supported-bridge")  # no hip extension, no outline signal
    frames = [frame(i, i / 10, {"bridge_line.near": 180.0}) for i in range(50)]
    f = hold_figures(SessionResult(spec, frames, [], [], 640, 480), 0.0, 4.9)
    assert f.peak_hip_ext_deg is None and f.tilt_change_deg is None and f.faults_per_min == 0.0
    assert hold_figures(SessionResult(spec, frames, [], [], 640, 480), 20.0, 30.0).faults_per_min is None


def lunge_report():
    s, res = lunge_session(40.0)
    return build_report(res, SourceInfo("clip.mp4", 640, 480, 30.0, s.n_frames, "video")), res


def test_recorded_session_reads_back_per_side(tmp_path):
    report, res = lunge_report()
    db = tmp_path / "h.sqlite"
    sid = record_session(db, report, res, "score", tmp_path / "out")
    conn = open_history(db)
    (row,) = load_history(conn)
    conn.close()
    assert row.session_id == sid and row.exercise == "kneeling-hip-flexor" and row.mode == "score"
    assert row.side == "right" and row.holds == 1 and row.target_reached
    assert row.good_form_s == pytest.approx(report.holds[0].good_form_s)
    assert row.peak_hip_ext_deg == pytest.approx(20.0, abs=0.1)  # back thigh 20 deg behind an upright trunk
    assert row.tilt_change_deg == pytest.approx(8.0, abs=0.2)  # outline 0.06 -> 0.04 once tucked
    hold = res.holds[0]  # one no_pelvic_tilt episode (before the tuck) over the hold
    assert row.faults_per_min == pytest.approx(1 / ((hold.end_s - hold.start_s) / 60), rel=1e-3)
    assert row.score == report.score


def test_reps_and_empty_sessions_read_back(tmp_path):
    report, _ = lunge_report()
    low, far = FaultTime("hips_low", "Hips low", 1.0), FaultTime("feet_too_far", "Feet too far", 1.0)
    bridge = replace(report, exercise="bridge", target_s=2.0, holds=(), reps=(
        RepReport("both", 1.0, 5.0, 2.5, True, ()),
        RepReport("both", 7.0, 11.0, 1.5, True, (low, far)),
        RepReport("both", 13.0, 17.0, 2.0, False, (low,))))
    nothing = replace(report, holds=(), reps=())
    db = tmp_path / "h.sqlite"
    conn = open_history(db)
    insert_session(conn, bridge, [], "score")
    insert_session(conn, nothing, [], "live")
    reps, empty = load_history(conn)
    assert conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == 3
    conn.close()
    assert reps.side == "both" and reps.reps == 3 and reps.holds == 0
    assert reps.good_form_s == pytest.approx(2.0)  # mean of 2.5, 1.5, 2.0 s at the top
    assert reps.target_reached is False  # the second rep held 1.5 s < 2 s
    assert reps.faults_per_min == pytest.approx(3 / (12 / 60))  # 3 faults in 12 s of reps
    assert reps.peak_hip_ext_deg is None and reps.tilt_change_deg is None
    assert empty.side is None and empty.mode == "live" and empty.good_form_s is None
    p = formcheck("history", "--db", str(db), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "3 reps, top 2.0 / 2 " in p.stdout and "no hold or rep found" in p.stdout


def test_default_path_env_then_xdg_then_home(tmp_path):
    assert default_db_path({"FORMCHECK_DB": str(tmp_path / "a.sqlite")}) == tmp_path / "a.sqlite"
    assert default_db_path({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "formcheck" / "history.sqlite"
    home = default_db_path({"XDG_DATA_HOME": "relative/ignored"})
    assert home == Path.home() / ".local" / "share" / "formcheck" / "history.sqlite"


# ---------------------------------------------------------------- the store


def test_empty_file_is_migrated_to_the_current_schema(tmp_path):
    db = tmp_path / "h.sqlite"
    db.write_bytes(b"")  # SQLite reads an empty file as an empty database (user_version 0)
    conn = open_history(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "holds", "reps"} <= names
    conn.close()


def test_older_database_is_migrated_in_order_keeping_rows(tmp_path):
    db = tmp_path / "h.sqlite"
    report, res = lunge_report()
    record_session(db, report, res, "score")
    newer = (*MIGRATIONS, ("ALTER TABLE sessions ADD COLUMN note TEXT", "UPDATE sessions SET note = 'migrated'"))
    conn = open_history(db, migrations=newer)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert conn.execute("SELECT exercise, note FROM sessions").fetchall() == [("kneeling-hip-flexor", "migrated")]
    assert len(load_history(conn)) == 1
    conn.close()


def test_failed_migration_changes_nothing(tmp_path):
    db = tmp_path / "h.sqlite"
    open_history(db).close()
    broken = (*MIGRATIONS, ("ALTER TABLE sessions ADD COLUMN note TEXT", "ALTER TABLE no_such_table ADD COLUMN x"))
    with pytest.raises(HistoryError):
        open_history(db, migrations=broken)
    conn = open_history(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    cols = [r[1] for r in conn.execute("PRAGMA table_info(sessions)")]
    assert "note" not in cols  # the first statement of the failed step was rolled back too
    conn.close()


def test_database_from_a_newer_formcheck_is_refused_untouched(tmp_path):
    db = tmp_path / "h.sqlite"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(HistoryError, match="newer formcheck"):
        open_history(db)
    assert db.read_bytes() == before


def test_another_programs_database_is_refused_untouched(tmp_path):
    db = tmp_path / "notes.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(HistoryError, match="another program"):
        open_history(db)
    assert db.read_bytes() == before


WRITER = """
import json, sys, time
from datetime import datetime, timezone
from formcheck.history.store import insert_session, open_history
from formcheck.history.figures import HoldFigures
from formcheck.report.model import report_from_json
from dataclasses import replace
db, report_path, tag, n, go = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
report = report_from_json(json.loads(open(report_path).read()))
figs = [HoldFigures(20.0, 8.0, 1.5)] * len(report.holds)
while time.time() < go:
    time.sleep(0.001)
t0 = time.time()
for i in range(n):
    conn = open_history(db)  # a new connection per session, like separate score runs
    insert_session(conn, replace(report, source=f"{tag}-{i}.mp4"), figs, "score")
    conn.close()
print(json.dumps([t0, time.time()]))
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    db = tmp_path / "fresh" / "h.sqlite"  # not created yet: both processes race to create and migrate it
    report, _ = lunge_report()
    n = 150
    go = time.time() + 1.5
    (tmp_path / "report.json").write_text(json.dumps(report.to_json()))
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(tmp_path / "report.json"), tag, str(n),
                               str(go)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
             for tag in ("a", "b")]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    (a0, a1), (b0, b1) = (json.loads(o) for o, _ in outs)
    assert a0 < b1 and b0 < a1, "the two writers did not overlap in time"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    sources = {r[0] for r in conn.execute("SELECT source FROM sessions")}
    assert sources == {f"{tag}-{i}.mp4" for tag in "ab" for i in range(n)}
    assert conn.execute("SELECT COUNT(*) FROM holds").fetchone()[0] == 2 * n * len(report.holds)
    assert conn.execute("SELECT COUNT(*) FROM holds WHERE session_id NOT IN (SELECT id FROM sessions)"
                        ).fetchone()[0] == 0
    conn.close()


# ---------------------------------------------------------------- the command


def fill_history(db: Path) -> None:
    """Three lunge sessions on three days (right side only), one a week earlier on the left."""
    report, res = lunge_report()
    now = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    for days_ago in (2, 1, 0):
        record_session(db, report, res, "score", recorded_at=now - timedelta(days=days_ago))
    left = replace(report, holds=(replace(report.holds[0], side="left", good_form_s=12.0, target_reached=False),))
    conn = open_history(db)
    insert_session(conn, left, [hold_figures(res, res.holds[0].start_s, res.holds[0].end_s)], "live",
                   recorded_at=now - timedelta(days=9))
    conn.close()


def side_pixels(png: Path, side: str) -> int:
    img = mpimg.imread(png)[..., :3]
    rgb = np.array([int(SIDE_COLORS[side][i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(img - rgb).max(axis=-1) < 0.02).sum())


def test_history_table_and_plot(tmp_path):
    db = tmp_path / "h.sqlite"
    fill_history(db)
    p = formcheck("history", "--db", str(db), "--plot", "all.png", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split()[:3] == ["date", "exercise", "side"]
    rows = [ln for ln in lines if "kneeling-hip-flexor" in ln and "latest per side" not in ln]
    assert len(rows) == 4
    assert " left " in rows[0] and "12.0 / 30" in rows[0] and " ok" not in rows[0]  # oldest first
    for r in rows[1:]:
        assert " right " in r and "/ 30 ok" in r and "+20.0 deg" in r and "+8.0 deg" in r and "1.5" in r
    assert p.stdout.rstrip().endswith("wrote all.png")
    (asym,) = [ln for ln in lines if "latest per side" in ln]  # left/right: one side is often tighter
    assert "left +20.0 deg, right +20.0 deg" in asym and "0.0 deg less" in asym
    png = tmp_path / "all.png"
    h, w = mpimg.imread(png).shape[:2]
    assert 300 < w < 1200 and 300 < h < 1000
    assert side_pixels(png, "left") > 50 and side_pixels(png, "right") > 50

    since = (datetime.now() - timedelta(days=3)).strftime("%Y-%m-%d")
    p = formcheck("history", "--db", str(db), "--since", since, "--plot", "recent.png", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    rows = [ln for ln in p.stdout.splitlines() if "kneeling-hip-flexor" in ln and "latest per side" not in ln]
    assert len(rows) == 3 and all(" right " in r for r in rows)
    assert side_pixels(tmp_path / "recent.png", "left") == 0 and side_pixels(tmp_path / "recent.png", "right") > 50

    p = formcheck("history", "--db", str(db), "--exercise", "bridge", cwd=tmp_path)
    assert p.returncode == 0 and "no sessions of bridge recorded" in p.stdout
    assert not (tmp_path / "formcheck-history.png").exists()


def test_history_without_a_database_creates_nothing(tmp_path):
    p = formcheck("history", "--db", str(tmp_path / "none.sqlite"), cwd=tmp_path)
    assert p.returncode == 0 and "no sessions recorded yet" in p.stdout
    assert list(tmp_path.iterdir()) == []


def test_history_bad_since(tmp_path):
    p = formcheck("history", "--since", "last tuesday", cwd=tmp_path)
    assert_one_line_error(p, 2, "--since", "YYYY-MM-DD", "last tuesday")


def test_garbage_database_one_line_error_and_untouched(tmp_path):
    db = tmp_path / "h.sqlite"
    garbage = bytes(np.random.default_rng(6).integers(0, 256, 8192, dtype=np.uint8))
    db.write_bytes(garbage)
    p = formcheck("history", "--db", str(db), cwd=tmp_path)
    assert_one_line_error(p, 5, str(db), "not a SQLite database", "untouched")
    assert db.read_bytes() == garbage
    assert sorted(x.name for x in tmp_path.iterdir()) == ["h.sqlite"]


def test_damaged_database_one_line_error_and_untouched(tmp_path):
    db = tmp_path / "h.sqlite"
    fill_history(db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    conn.close()
    data = bytearray(db.read_bytes())
    assert len(data) >= 4 * page
    data[2 * page:3 * page] = b"\xa5" * page  # overwrite a whole b-tree page, header intact
    db.write_bytes(bytes(data))
    p = formcheck("history", "--db", str(db), cwd=tmp_path)
    err = assert_one_line_error(p, 5, str(db), "untouched")
    assert "damaged" in err
    assert db.read_bytes() == bytes(data)


def test_schema_1_database_gains_the_partial_mark_keeping_every_session(tmp_path):
    """A database written before the partial mark (schema 1) is migrated in order: its sessions stay,
    read as complete; a partial session recorded afterwards is marked in the table with a legend."""
    db = tmp_path / "h.sqlite"
    report, res = lunge_report()
    open_history(db, migrations=MIGRATIONS[:1]).close()
    with sqlite3.connect(db) as old:  # a session as formcheck with schema 1 wrote it (no partial column)
        old.execute("INSERT INTO sessions (recorded_at, exercise, source, mode, duration_s, detection_rate, score, "
                    "target_s, report_schema, formcheck_version) VALUES ('2026-11-01T10:00:00Z', "
                    "'kneeling-hip-flexor', 'old.mp4', 'score', 40, 1, 50, 30, '1.1', '0.1')")
        old.execute("INSERT INTO holds VALUES (1, 0, 'left', 1, 30, 20, 30, 0, 10, 5, 1)")
    old.close()
    record_session(db, report, res, "score", partial=True)
    conn = open_history(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 2
    assert [r.partial for r in load_history(conn)] == [False, True]
    conn.close()
    p = formcheck("history", "--db", str(db), "--plot", "h.png", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    rows = [ln for ln in p.stdout.splitlines() if ln.startswith("20")]
    assert len(rows) == 2 and not rows[0].endswith("partial") and rows[1].endswith("partial")
    assert "partial: the run was stopped before the end of its video" in p.stdout


@pytest.mark.parametrize("plot,written", [("trend", "trend.png"), ("out/trend.svg", "out/trend.svg")])
def test_history_plot_names_the_file_it_wrote(tmp_path, plot, written):
    db = tmp_path / "h.sqlite"
    fill_history(db)
    (tmp_path / "out").mkdir()
    p = formcheck("history", "--db", str(db), "--plot", plot, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.rstrip().endswith(f"wrote {written}") and (tmp_path / written).stat().st_size > 1000
    assert not (tmp_path / plot).exists() or plot == written


@pytest.mark.parametrize("plot,code,needle", [("x.txt", 2, "cannot write a plot as '.txt'"),
                                              ("missing/x.png", 7, "could not be written")])
def test_history_plot_it_cannot_write_is_one_line(tmp_path, plot, code, needle):
    db = tmp_path / "h.sqlite"
    fill_history(db)
    p = formcheck("history", "--db", str(db), "--plot", plot, cwd=tmp_path)
    assert_one_line_error(p, code, plot, needle)
    assert not [f for f in tmp_path.iterdir() if f.suffix in (".txt", ".png")]
