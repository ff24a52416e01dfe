"""Writing the output files: an unusable ``--out`` fails before any scoring, every file is written under
a temporary name and renamed when complete, and a full disk gives one line (exit 7) with no half file.

The full disk is real: a small tmpfs mounted for the test (root in a container may mount), or, where
mounting is not permitted, a per-file size limit (RLIMIT_FSIZE) on the command's process — see
:class:`tests.conftest.SmallDisk`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import jsonschema
import pytest

from formcheck.errors import OutputError
from formcheck.media.outfiles import AtomicFile, atomic_output, check_writable_dir, write_text_atomic
from formcheck.report.json_report import SCHEMA_PATH
from tests.conftest import SAMPLES
from tests.test_batch import cut_clip
from tests.test_cli_errors import assert_one_line_error, formcheck


def test_atomic_output_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("stopped mid-write")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    write_text_atomic(target, "new\n")
    assert target.read_text() == "new\n" and sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_folder_that_vanished_is_one_output_error(tmp_path):
    with pytest.raises(OutputError, match="could not be written"):
        write_text_atomic(tmp_path / "gone" / "report.json", "{}")


def test_temporary_files_of_a_dead_process_are_cleaned_up(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".annotated.part-{dead}-0123abcd.mp4"
    stale.write_bytes(b"half a video")
    mine = AtomicFile(tmp_path / "report.json")  # this process is alive: its file stays
    check_writable_dir(tmp_path)
    assert not stale.exists() and mine.tmp.exists()


def test_read_only_out_folder_fails_before_scoring(tmp_path, small_disk):
    """An existing folder nobody may write to (a read-only mount: root too), with --no-video."""
    disk = small_disk(64 * 1024, read_only=True)
    p = formcheck("score", str(SAMPLES / "bridge_reps_sag.mp4"), "-e", "bridge", "--out", str(disk.folder),
                  "--no-video", "--no-history", cwd=tmp_path)
    assert_one_line_error(p, 2, str(disk.folder), "cannot write in this folder", "--out")
    assert "scoring" not in p.stderr  # it failed before the progress bar, i.e. before any frame


def test_out_in_sys_kernel_fails_before_scoring(tmp_path):
    if not Path("/sys/kernel").is_dir():
        pytest.skip("no /sys/kernel here")
    p = formcheck("score", str(SAMPLES / "bridge_reps_sag.mp4"), "-e", "bridge", "--out", "/sys/kernel",
                  "--no-video", "--no-history", cwd=tmp_path)
    assert_one_line_error(p, 2, "/sys/kernel", "choose another --out")


@pytest.mark.slow
def test_full_disk_is_one_line_and_leaves_no_half_file(tmp_path, small_disk):
    """64 KB: report.json and frames.csv fit, angles.png (~40 KB here) and report.html do not all fit."""
    clip = cut_clip(SAMPLES / "bridge_reps_sag.mp4", tmp_path / "short.mp4", 45)
    disk = small_disk(64 * 1024)
    p = subprocess.run([sys.executable, "-m", "formcheck", "score", str(clip), "-e", "bridge", "--out",
                        str(disk.folder), "--no-video", "--no-history", "-q"], capture_output=True, text=True,
                       cwd=tmp_path, timeout=600, preexec_fn=disk.preexec)
    line = assert_one_line_error(p, 7, "could not be written", "no half-written file")
    assert ("No space left" in line) if disk.mounted else ("too large" in line)
    names = sorted(f.name for f in disk.folder.iterdir())
    assert not [n for n in names if n.startswith(".")], names  # no temporary file left
    if "report.json" in names:  # every file that is there is whole
        jsonschema.validate(json.loads((disk.folder / "report.json").read_text()), json.loads(SCHEMA_PATH.read_text()))
    if "frames.csv" in names:
        assert len((disk.folder / "frames.csv").read_text().splitlines()) == 46
    if "angles.png" in names:
        assert cv2.imread(str(disk.folder / "angles.png")) is not None
    if "report.html" in names:
        assert (disk.folder / "report.html").read_text().rstrip().endswith("</html>")
    assert set(names) != {"report.json", "frames.csv", "angles.png", "report.html"}, "nothing failed"
