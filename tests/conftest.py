"""Shared test fixtures: where the shared real footage lives (and a skip when it is absent), and a
throw-away history database for every test."""

from __future__ import annotations

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
