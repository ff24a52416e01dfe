"""Shared test fixtures: where the shared real footage lives (and a skip when it is absent), and a
throw-away history database for every test."""

from __future__ import annotations

import resource
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_REAL = REPO.parent / "shared" / "data" / "real"
SAMPLES = REPO / "sample_videos"


@pytest.fixture(autouse=True)
def history_db(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test (and every ``formcheck`` subprocess it starts) records sessions into its own
    temporary history database, never the user's data folder."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite"
    monkeypatch.setenv("FORMCHECK_DB", str(path))
    return path


@pytest.fixture
def real_data() -> Path:
    """Folder of real test footage beside the repo; skips the test when it is not there."""
    if not SHARED_REAL.is_dir():
        pytest.skip(f"real test footage not found at {SHARED_REAL} (../shared is not beside this checkout)")
    return SHARED_REAL


@dataclass(frozen=True)
class SmallDisk:
    """A folder where writing past ``size`` bytes fails with "no space left" (a tmpfs of that size,
    mounted when this process may mount: root in a container), or else where a process started with
    ``preexec`` gets "file too large" (EFBIG) for any file past ``size`` bytes (RLIMIT_FSIZE, with
    SIGXFSZ ignored so the write fails instead of killing the process). ``mounted`` says which."""

    folder: Path
    preexec: Callable[[], None] | None
    mounted: bool


def _mount_tmpfs(folder: Path, options: str) -> bool:
    try:
        return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                              capture_output=True, timeout=30).returncode == 0
    except OSError:
        return False


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[..., SmallDisk]]:
    """``small_disk(size_bytes, read_only=False)`` -> :class:`SmallDisk`; mounts are undone after the test.
    ``read_only`` needs the mount (a read-only tmpfs: unwritable even for root); the test skips otherwise."""
    mounts: list[Path] = []

    def make(size: int, read_only: bool = False) -> SmallDisk:
        folder = tmp_path / f"disk{len(mounts)}-{size}"
        folder.mkdir()
        if _mount_tmpfs(folder, f"{'ro,' if read_only else ''}size={size}"):
            mounts.append(folder)
            return SmallDisk(folder, None, True)
        if read_only:
            pytest.skip("cannot mount a read-only tmpfs here (not root, or mounting not permitted)")

        def limit_file_size() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

        return SmallDisk(folder, limit_file_size, False)

    yield make
    for folder in mounts:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False,
                     help="also run tests marked slow (whole videos through the pose model; CI runs them)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
