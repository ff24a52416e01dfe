"""Headless Chromium for rendering report.html: a screenshot (PNG) or the page's DOM after scripts ran.

Used to make the README's report image and by the tests that open the report in a real browser.
Each call starts a fresh browser with a throw-away profile and no network-facing background work;
``--virtual-time-budget`` lets the page's scripts and media loading run for that much (virtual)
time before the result is taken, so it does not depend on the machine's speed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from formcheck.errors import FormcheckError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BASE_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--hide-scrollbars", "--mute-audio")
TIMEOUT_S = 120.0


def find_chromium() -> str | None:
    """Path of a Chromium or Chrome executable on PATH, or None."""
    for name in CANDIDATES:
        exe = shutil.which(name)
        if exe:
            return exe
    return None


def _run(page: Path, extra: list[str], budget_ms: int, cwd: Path) -> subprocess.CompletedProcess:
    exe = find_chromium()
    if exe is None:
        raise FormcheckError("no Chromium found on PATH — install it (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="formcheck-chromium-") as profile:
        cmd = [exe, *BASE_FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}", *extra,
               Path(page).resolve().as_uri()]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=cwd)
        except subprocess.TimeoutExpired:
            raise FormcheckError(f"Chromium did not finish rendering {page} within {TIMEOUT_S:g} s") from None


def dump_dom(page: Path, budget_ms: int = 5000) -> str:
    """The page's serialised DOM after ``budget_ms`` of virtual time (scripts and media events ran)."""
    p = _run(page, ["--dump-dom"], budget_ms, Path(page).resolve().parent)
    if p.returncode != 0 or "<html" not in p.stdout:
        raise FormcheckError(f"Chromium could not render {page} (exit {p.returncode}): {p.stderr.strip()[-300:]}")
    return p.stdout


def screenshot(page: Path, png: Path, width: int, height: int, budget_ms: int = 5000) -> Path:
    """Render ``page`` in a ``width`` x ``height`` CSS-pixel window and write the visible part to ``png``."""
    png = Path(png).resolve()
    png.unlink(missing_ok=True)
    p = _run(page, [f"--screenshot={png}", f"--window-size={width},{height}"], budget_ms, Path(page).resolve().parent)
    if not png.exists():
        raise FormcheckError(f"Chromium wrote no screenshot of {page} (exit {p.returncode}): "
                             f"{p.stderr.strip()[-300:]}")
    return png
