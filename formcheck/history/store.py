"""Session history: every ``score`` / ``live`` session recorded in one SQLite file, read back per side.

Where: ``--db PATH``, else ``$FORMCHECK_DB``, else ``$XDG_DATA_HOME/formcheck/history.sqlite``, else
``~/.local/share/formcheck/history.sqlite``.

Safety:

* Several processes may record at once (a batch of ``score`` runs): the file is in WAL mode, every
  connection waits up to :data:`BUSY_TIMEOUT_S` for the write lock instead of failing, and each
  session is inserted in one ``BEGIN IMMEDIATE`` transaction, so a session lands whole or not at all.
* The schema version is ``PRAGMA user_version``; :data:`MIGRATIONS` are applied in order, each
  database upgraded inside one transaction.
* A file that is not a SQLite database, is damaged (``PRAGMA quick_check``), belongs to another
  program, or was written by a newer formcheck raises :class:`~formcheck.errors.HistoryError`
  (exit code 5) and is never modified or recreated.

Tables (schema 3): ``sessions`` (one row per session; ``partial`` 1 when the run stopped before the end
of its video, added in schema 2; ``person`` who was filmed or NULL, added in schema 3), ``holds`` (one
row per hold, with the figures of :mod:`formcheck.history.figures`), ``reps`` (one row per rep). Times are seconds from
the start of the source, angles degrees; ``recorded_at`` is UTC, ``YYYY-MM-DDTHH:MM:SSZ``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from time import monotonic as _monotonic
from time import sleep as _sleep
from typing import Any

from formcheck.errors import HistoryError, InputError
from formcheck.history.figures import HoldFigures, session_hold_figures
from formcheck.judge.session import SessionResult
from formcheck.report.model import Report

DB_ENV = "FORMCHECK_DB"
DB_NAME = "history.sqlite"
#: How long a connection waits for another writer before giving up, seconds.
BUSY_TIMEOUT_S = 60.0
MODES = ("score", "live")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

#: Ordered schema migrations: ``MIGRATIONS[i]`` takes a database from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            recorded_at TEXT NOT NULL,
            exercise TEXT NOT NULL,
            source TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('score', 'live')),
            duration_s REAL NOT NULL,
            detection_rate REAL NOT NULL,
            score REAL NOT NULL,
            target_s REAL NOT NULL,
            report_schema TEXT NOT NULL,
            formcheck_version TEXT NOT NULL,
            out_dir TEXT
        )""",
        "CREATE INDEX sessions_by_exercise_time ON sessions (exercise, recorded_at)",
        """CREATE TABLE holds (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            side TEXT NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            good_form_s REAL NOT NULL,
            target_s REAL NOT NULL,
            target_reached INTEGER NOT NULL,
            peak_hip_ext_deg REAL,
            tilt_change_deg REAL,
            faults_per_min REAL,
            PRIMARY KEY (session_id, idx)
        )""",
        """CREATE TABLE reps (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            side TEXT NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            top_hold_s REAL NOT NULL,
            complete INTEGER NOT NULL,
            faults TEXT NOT NULL,
            PRIMARY KEY (session_id, idx)
        )""",
    ),
    # 1 -> 2: a run stopped before the end of its video (Ctrl-C, a signal, an error) is marked partial;
    # sessions recorded before are complete ones (an interrupted run could not be told apart then).
    ("ALTER TABLE sessions ADD COLUMN partial INTEGER NOT NULL DEFAULT 0",),
    # 2 -> 3: who was filmed (``--person``); NULL for sessions recorded before and for unnamed ones.
    ("ALTER TABLE sessions ADD COLUMN person TEXT",
     "CREATE INDEX sessions_by_person_time ON sessions (person, recorded_at)"),
)
SCHEMA_VERSION = len(MIGRATIONS)
_OWN_TABLES = frozenset({"sessions", "holds", "reps"})


def default_db_path(env: Mapping[str, str] | None = None) -> Path:
    """The history file when no ``--db`` is given: ``$FORMCHECK_DB``, else under the XDG data folder."""
    env = os.environ if env is None else env
    if env.get(DB_ENV):
        return Path(env[DB_ENV]).expanduser()
    xdg = env.get("XDG_DATA_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "formcheck" / DB_NAME


def resolve_db_path(db: Path | None) -> Path:
    """``--db`` when given, else :func:`default_db_path`."""
    return Path(db).expanduser() if db is not None else default_db_path()


def _unusable(path: Path, problem: str) -> HistoryError:
    return HistoryError(f"{path}: {problem}; the file was left untouched — move it aside or choose another --db")


class _StillLocked(HistoryError):
    """Another writer kept the database locked (SQLite gave up waiting, or did not wait at all)."""


def _is_busy(err: sqlite3.Error) -> bool:
    return isinstance(err, sqlite3.OperationalError) and ("locked" in str(err) or "busy" in str(err))


def _sqlite_error(path: Path, err: sqlite3.Error) -> HistoryError:
    msg = str(err)
    if _is_busy(err):
        return _StillLocked(f"{path}: history database still locked by another formcheck after "
                            f"{BUSY_TIMEOUT_S:g} s ({msg}) — try again when it finishes")
    if isinstance(err, sqlite3.DatabaseError) and not isinstance(err, sqlite3.OperationalError):
        return _unusable(path, f"not a SQLite database or damaged ({msg})")
    return HistoryError(f"{path}: cannot use the history database ({msg}) — check the path and its permissions")


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as e:
        if _is_busy(e):
            raise
        raise _unusable(path, f"not a SQLite database or damaged ({e})") from None
    if rows != [("ok",)]:
        found = " ".join(" ".join(str(r[0]) for r in rows[:3]).split())  # one line
        raise _unusable(path, f"damaged SQLite database (integrity check: {found[:200]})")


def _foreign_tables(conn: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return sorted(n for n in names if n not in _OWN_TABLES and not n.startswith("sqlite_"))


def _check_ours(conn: sqlite3.Connection, path: Path, latest: int) -> int:
    """The file's schema version, after making sure formcheck may write to it (read-only check)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > latest:
        raise _unusable(path, f"history schema {version} was written by a newer formcheck "
                              f"(this one reads up to {latest})")
    if version == 0 and _foreign_tables(conn):
        raise _unusable(path, "a SQLite database of another program (tables: "
                              f"{', '.join(_foreign_tables(conn)[:5])}), not a formcheck history")
    return version


def _migrate(conn: sqlite3.Connection, path: Path, migrations: Sequence[Sequence[str]]) -> None:
    """Apply the missing migrations in one transaction (re-checked under the write lock, since
    another process may have migrated the file meanwhile)."""
    latest = len(migrations)
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _check_ours(conn, path, latest)
        for step in migrations[version:]:
            for statement in step:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {latest:d}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def open_history(path: Path, migrations: Sequence[Sequence[str]] = MIGRATIONS) -> sqlite3.Connection:
    """Open (creating when missing) and migrate the history database at ``path``.

    Raises :class:`HistoryError` for a file that cannot be used; such a file is not written to.
    The connection is in autocommit mode; writers use explicit transactions. SQLite does not call
    its busy handler in every case (e.g. while another process creates the file or switches it to
    WAL), so the whole opening is retried with back-off until :data:`BUSY_TIMEOUT_S` has passed.
    """
    return _retry_while_locked(lambda: _open_once(Path(path), migrations))


def _retry_while_locked(fn):
    """``fn()``, retried with growing pauses (10 ms to 0.5 s) while it raises :class:`_StillLocked`."""
    deadline = _monotonic() + BUSY_TIMEOUT_S
    pause = 0.01
    while True:
        try:
            return fn()
        except _StillLocked:
            if _monotonic() + pause > deadline:
                raise
            _sleep(pause)
            pause = min(pause * 2, 0.5)


def _open_once(path: Path, migrations: Sequence[Sequence[str]]) -> sqlite3.Connection:
    try:
        is_dir = path.is_dir()
    except OSError as e:
        raise HistoryError(f"{path}: cannot reach the history database ({e.strerror}) — choose another --db") from None
    if is_dir:
        raise HistoryError(f"{path}: is a folder — give --db a file path, e.g. {path / DB_NAME}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise HistoryError(f"{path.parent}: cannot create the history folder ({e.strerror}) — "
                           "choose another --db") from None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as e:
        raise _sqlite_error(path, e) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        # Read-only checks first: nothing is written before the file is known to be a sound formcheck history.
        _check_integrity(conn, path)
        version = _check_ours(conn, path, len(migrations))
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise HistoryError(f"{path}: the history database cannot use write-ahead logging (is it on a "
                               "network drive?) — choose a local --db")
        conn.execute("PRAGMA foreign_keys = ON")
        if version < len(migrations):
            _migrate(conn, path, migrations)
    except HistoryError:
        conn.close()
        raise
    except sqlite3.Error as e:
        conn.close()
        raise _sqlite_error(path, e) from None
    return conn


def _utc_text(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    return when.astimezone(timezone.utc).strftime(_TIME_FORMAT)


def insert_session(conn: sqlite3.Connection, report: Report, figures: Sequence[HoldFigures],
                   mode: str, out_dir: Path | None = None, recorded_at: datetime | None = None,
                   partial: bool = False) -> int:
    """Insert one session (its report plus the per-hold ``figures``) in one transaction; return its id.
    ``partial``: the run stopped before the end of its video, so the report covers only part of it."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if len(figures) != len(report.holds):
        raise ValueError(f"{len(figures)} hold figures for {len(report.holds)} holds")
    when = _utc_text(recorded_at or datetime.now(timezone.utc))
    conn.execute("BEGIN IMMEDIATE")
    try:
        cur = conn.execute(
            "INSERT INTO sessions (recorded_at, exercise, source, mode, duration_s, detection_rate, score, "
            "target_s, report_schema, formcheck_version, out_dir, partial, person) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (when, report.exercise, str(report.source), mode, report.duration_s, report.detection_rate,
             report.score, report.target_s, report.schema_version, report.formcheck_version,
             None if out_dir is None else str(out_dir), int(partial), report.person))
        assert cur.lastrowid is not None  # set by the INSERT just executed
        sid = int(cur.lastrowid)
        conn.executemany(
            "INSERT INTO holds (session_id, idx, side, start_s, end_s, good_form_s, target_s, target_reached, "
            "peak_hip_ext_deg, tilt_change_deg, faults_per_min) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(sid, i, h.side, h.start_s, h.end_s, h.good_form_s, h.target_s, int(h.target_reached),
              f.peak_hip_ext_deg, f.tilt_change_deg, f.faults_per_min)
             for i, (h, f) in enumerate(zip(report.holds, figures, strict=True))])
        conn.executemany(
            "INSERT INTO reps (session_id, idx, side, start_s, end_s, top_hold_s, complete, faults) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(sid, i, r.side, r.start_s, r.end_s, r.top_hold_s, int(r.complete),
              " ".join(fault.code for fault in r.faults)) for i, r in enumerate(report.reps)])
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return sid


def record_session(db_path: Path, report: Report, result: SessionResult, mode: str,
                   out_dir: Path | None = None, recorded_at: datetime | None = None, partial: bool = False) -> int:
    """Record a finished session (``mode`` "score" or "live"; ``partial`` see :func:`insert_session`) in the
    history at ``db_path``; return its id.

    Raises :class:`HistoryError` when the database cannot be used; the caller has already written
    the report files, which stay as they are.
    """
    figures = session_hold_figures(result)

    def once() -> int:
        conn = open_history(db_path)
        try:
            return insert_session(conn, report, figures, mode, out_dir, recorded_at, partial)
        except sqlite3.Error as e:
            raise _sqlite_error(Path(db_path), e) from None
        finally:
            conn.close()

    return _retry_while_locked(once)


def record_finished(db: Path | None, report: Report, result: SessionResult, mode: str,
                    out_dir: Path | None, partial: bool = False) -> str | None:
    """Record a session whose report files are already written, unless no person was found in any
    frame (nothing to track); ``partial`` marks a run stopped before the end of its video. Returns a
    line for the summary, or None when nothing was recorded. A :class:`HistoryError` names the
    database and says the report itself was written."""
    if not report.frames_with_pose:
        return None
    path = resolve_db_path(db)
    try:
        sid = record_session(path, report, result, mode, out_dir, partial=partial)
    except HistoryError as e:
        where = f" in {out_dir}" if out_dir is not None else ""
        raise HistoryError(f"{e} (the report{where} was written; this session is not in the history)") from None
    return f"  recorded in the history as session {sid}: {path}"


def parse_since(text: str) -> datetime:
    """``--since YYYY-MM-DD`` as the start of that day in local time (aware); InputError otherwise."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--since must be a date like 2026-01-31 (YYYY-MM-DD), got '{text}'") from None
    return datetime.combine(day, time.min).astimezone()


@dataclass(frozen=True)
class SideSummary:
    """One session's result on one side, as the history table and plot show it.

    Holds: the side's best hold (most good-form seconds — the one the score counts), ``holds`` how
    many there were. Reps: ``good_form_s`` is the mean seconds held at the top per rep,
    ``target_reached`` whether every rep reached the target, ``faults_per_min`` the rep faults
    per minute of rep time. ``side`` is None when the session found no hold and no rep.
    """

    session_id: int
    recorded_at: datetime
    exercise: str
    mode: str
    source: str
    score: float
    side: str | None
    holds: int
    reps: int
    good_form_s: float | None
    target_s: float
    target_reached: bool | None
    peak_hip_ext_deg: float | None
    tilt_change_deg: float | None
    faults_per_min: float | None
    partial: bool = False
    person: str | None = None
    out_dir: str | None = None


def _reps_summary(base: dict[str, Any], side: str, reps: list[sqlite3.Row]) -> SideSummary:
    minutes = sum(r["end_s"] - r["start_s"] for r in reps) / 60.0
    n_faults = sum(len(r["faults"].split()) for r in reps)
    return SideSummary(**base, side=side, holds=0, reps=len(reps),
                       good_form_s=sum(r["top_hold_s"] for r in reps) / len(reps),
                       target_reached=all(r["top_hold_s"] >= base["target_s"] for r in reps),
                       peak_hip_ext_deg=None, tilt_change_deg=None,
                       faults_per_min=n_faults / minutes if minutes > 0 else None)


def load_history(conn: sqlite3.Connection, exercise: str | None = None,
                 since: datetime | None = None, person: str | None = None) -> list[SideSummary]:
    """Recorded sessions, oldest first, one :class:`SideSummary` per side (``since``: aware datetime;
    ``person``: only that person's sessions, the name compared exactly as stored)."""
    conn.row_factory = sqlite3.Row
    where, args = [], []
    if person is not None:
        where.append("person = ?")
        args.append(person)
    if exercise is not None:
        where.append("exercise = ?")
        args.append(exercise)
    if since is not None:
        where.append("recorded_at >= ?")
        args.append(_utc_text(since))
    sql = "SELECT * FROM sessions" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY recorded_at, id"
    out: list[SideSummary] = []
    for s in conn.execute(sql, args).fetchall():
        base = dict(session_id=s["id"], exercise=s["exercise"], mode=s["mode"], source=s["source"],
                    score=s["score"], target_s=s["target_s"], partial=bool(s["partial"]), person=s["person"],
                    out_dir=s["out_dir"],
                    recorded_at=datetime.strptime(s["recorded_at"], _TIME_FORMAT).replace(tzinfo=timezone.utc))
        holds = conn.execute("SELECT * FROM holds WHERE session_id = ? ORDER BY idx", (s["id"],)).fetchall()
        reps = conn.execute("SELECT * FROM reps WHERE session_id = ? ORDER BY idx", (s["id"],)).fetchall()
        sides = list(dict.fromkeys([h["side"] for h in holds] + [r["side"] for r in reps]))
        if not sides:
            out.append(SideSummary(**base, side=None, holds=0, reps=0, good_form_s=None, target_reached=None,
                                   peak_hip_ext_deg=None, tilt_change_deg=None, faults_per_min=None))
        for side in sorted(sides):
            on_side = [h for h in holds if h["side"] == side]
            if not on_side:
                out.append(_reps_summary(base, side, [r for r in reps if r["side"] == side]))
                continue
            best = max(on_side, key=lambda h: h["good_form_s"])
            out.append(SideSummary(**base, side=side, holds=len(on_side), reps=0, good_form_s=best["good_form_s"],
                                   target_reached=bool(best["target_reached"]),
                                   peak_hip_ext_deg=best["peak_hip_ext_deg"],
                                   tilt_change_deg=best["tilt_change_deg"], faults_per_min=best["faults_per_min"]))
    return out
