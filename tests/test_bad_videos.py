"""Fault injection: bad and unusual videos made here with the bundled ffmpeg, each run through the real
command (``python -m formcheck score``). Every case has its exit code and what the user reads (the
one error line, or a note in the report); never a traceback; the files that exist are complete
(report.json parses and validates against the schema, frames.csv parses). The README's "Bad input"
table lists the same cases.

Cases that run the pose model are marked slow; the others stop before it loads.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from formcheck.report.json_report import SCHEMA_PATH
from tests.conftest import SAMPLES
from tests.media import corrupt_middle, duration_s, ffmpeg, rotated_copy
from tests.test_cli_errors import assert_one_line_error, formcheck

SCHEMA = json.loads(SCHEMA_PATH.read_text())
BASE_S, BASE_FPS, BASE_SIZE = 2.0, 15, (320, 240)  # the clip every bad video is made from


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s of the sample bridge clip (a person in side view) at 320x240, H.264, index at the front."""
    path = tmp_path_factory.mktemp("base") / "base.mp4"
    ffmpeg("-i", SAMPLES / "bridge_reps_sag.mp4", "-t", BASE_S, "-vf", "scale=320:240", "-r", BASE_FPS,
           "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-movflags", "+faststart", path)
    return path


def cut(fraction: float, index_at_front: bool) -> Callable[[Path, Path], Path]:
    """A copy of the base clip cut short at ``fraction`` of its bytes, its index (moov) first or last."""
    def make(base: Path, d: Path) -> Path:
        src = base
        if not index_at_front:
            src = d / "index_last.mp4"
            ffmpeg("-i", base, "-c", "copy", src)  # ffmpeg writes moov at the end unless asked
        data = src.read_bytes()
        out = d / "cut.mp4"
        out.write_bytes(data[: int(len(data) * fraction)])
        return out
    return make


def text_file(base: Path, d: Path) -> Path:
    (d / "notes.mp4").write_text("this is a shopping list, not a video\n")
    return d / "notes.mp4"


def zero_bytes(base: Path, d: Path) -> Path:
    (d / "empty.mp4").write_bytes(b"")
    return d / "empty.mp4"


def audio_only(base: Path, d: Path) -> Path:
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", d / "sound.mp4")
    return d / "sound.mp4"


def one_frame(base: Path, d: Path) -> Path:
    ffmpeg("-i", base, "-frames:v", "1", "-c:v", "libx264", "-preset", "ultrafast", d / "one.mp4")
    return d / "one.mp4"


def rotated(r: int) -> Callable[[Path, Path], Path]:
    return lambda base, d: rotated_copy(base, d / f"rot{r}.mp4", r)


def variable_rate(base: Path, d: Path) -> Path:
    """The first second at 15 fps, the second at 5 fps (the same frames, shown longer)."""
    ffmpeg("-i", base, "-vf", "setpts='if(lt(N,15),N/15,1+(N-15)/5)/TB'", "-fps_mode", "vfr",
           "-c:v", "libx264", "-preset", "ultrafast", d / "vfr.mp4")
    return d / "vfr.mp4"


def corrupt(base: Path, d: Path) -> Path:
    return corrupt_middle(base, d / "corrupt.mp4", 0.3, 0.6)  # zeroes a stretch of whole frames in this clip


def four_k(base: Path, d: Path) -> Path:
    ffmpeg("-i", base, "-t", "0.5", "-vf", "scale=3840:2160", "-c:v", "libx264", "-preset", "ultrafast", d / "4k.mp4")
    return d / "4k.mp4"


def frames_csv(out: Path) -> list[dict[str, str]]:
    with (out / "frames.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(len(r) == len(rows[0]) and None not in r for r in rows)  # no short or long rows
    return rows


def check_truncated(report: dict, out: Path, video: Path) -> None:
    assert 0 < report["frames"] < BASE_S * BASE_FPS


def check_rotated(report: dict, out: Path, video: Path) -> None:
    assert (report["width"], report["height"]) == BASE_SIZE  # upright: landscape again
    assert report["frames_with_pose"] == report["frames"] == BASE_S * BASE_FPS


def check_vfr(report: dict, out: Path, video: Path) -> None:
    fps = report["fps"]
    assert abs(duration_s(out / "annotated.mp4") - duration_s(video)) <= 1 / fps + 1e-3
    assert float(frames_csv(out)[-1]["t_s"]) == pytest.approx(1 + 14 / 5, abs=0.01)  # the last frame shown from 3.8 s


def check_corrupt(report: dict, out: Path, video: Path) -> None:
    ts = [float(r["t_s"]) for r in frames_csv(out)]
    gap = max(zip(ts, ts[1:], strict=False), key=lambda ab: ab[1] - ab[0])
    assert gap[1] - gap[0] > 0.2 and ts[-1] > BASE_S - 0.2  # frames after the gap were scored
    assert f"between {gap[0]:.2f} s and {gap[1]:.2f} s" in " ".join(report["notes"])


def check_4k(report: dict, out: Path, video: Path) -> None:
    assert (report["width"], report["height"]) == (720, 405)  # --max-side 720 by default


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it, the exit code, and what the user reads — in the one error line
    when the code is not 0, else in the report's notes ('' = nothing to note)."""

    id: str
    make: Callable[[Path, Path], Path]
    code: int
    says: str
    slow: bool = False  # the pose model runs
    video: bool = False  # about the annotated video: do not pass --no-video
    check: Callable[[dict, Path, Path], None] | None = None
    args: tuple[str, ...] = ()


CASES = [
    Case("zero bytes", zero_bytes, 3, "the file is empty (0 bytes)"),
    Case("text file named .mp4", text_file, 2, "not a readable video"),
    Case("cut at 30%, index at the end", cut(0.3, index_at_front=False), 2, "cut short before its index"),
    Case("cut at 30%, index at the front", cut(0.3, index_at_front=True), 0, "decoding stopped after", True,
         check=check_truncated),
    Case("sound only", audio_only, 2, "sound only"),
    Case("one frame", one_frame, 0, "", True),
    *[Case(f"rotated {r}", rotated(r), 0, f"turned {r}° clockwise", True, check=check_rotated)
      for r in (90, 180, 270)],
    Case("variable frame rate", variable_rate, 0, "", True, video=True, check=check_vfr),
    Case("corrupt middle", corrupt, 0, "no frame could be decoded between", True, check=check_corrupt),
    Case("4K", four_k, 0, "", True, check=check_4k),
    Case("--max-side 10", one_frame, 2, "--max-side must be 0", args=("--max-side", "10")),
    Case("--max-side -5", one_frame, 2, "--max-side must be 0", args=("--max-side", "-5")),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else [])
                                  for c in CASES])
def test_bad_video(case: Case, base: Path, tmp_path: Path) -> None:
    video = case.make(base, tmp_path)
    out = tmp_path / "out"
    p = formcheck("score", str(video), "-e", "bridge", "-o", str(out), "--no-history", "-q", *case.args,
                  *(() if case.video else ("--no-video",)), cwd=tmp_path)
    assert "Traceback" not in p.stderr
    if case.code:
        assert_one_line_error(p, case.code, case.says)
    else:
        assert p.returncode == 0, p.stderr
    if not (out / "report.json").exists():
        assert case.code != 0, "a scored video always leaves a report"
        return
    report = json.loads((out / "report.json").read_text())
    jsonschema.validate(report, SCHEMA)
    frames_csv(out)
    notes = " ".join(report["notes"])
    if case.code == 0:
        assert case.says in notes if case.says else not any("decod" in n for n in report["notes"]), notes
    if case.check is not None:
        case.check(report, out, video)


@pytest.mark.slow
def test_rotated_phone_clip_scores_like_the_upright_one(tmp_path: Path, real_data: Path) -> None:
    """3 s of a real half-kneeling hold (true side view), stored turned with a display rotation of 90°
    (as a phone writes it): the same holds, side and angles (within 1°) as the upright clip."""
    from formcheck.exercises import load_exercise

    upright = tmp_path / "upright.mp4"
    ffmpeg("-ss", "9", "-t", "3", "-i", real_data / "videos/lunge/half_kneeling_hip_flexor_oblique_then_side.mp4",
           "-an", "-vf", "scale=640:360", "-r", "30", "-c:v", "libx264", "-preset", "ultrafast", upright)
    phone = rotated_copy(upright, tmp_path / "phone.mp4", 90, lossless=True)
    runs = {}
    for clip in (upright, phone):
        out = tmp_path / clip.stem
        p = formcheck("score", str(clip), "-e", "kneeling-hip-flexor", "-o", str(out), "--no-video", "--no-history",
                      "-q", cwd=tmp_path)
        assert p.returncode == 0, p.stderr
        runs[clip.stem] = json.loads((out / "report.json").read_text()), frames_csv(out)
    (up, up_rows), (ph, ph_rows) = runs["upright"], runs["phone"]
    assert up["holds"], "the upright clip has a hold to compare"
    assert [(h["side"], h["start_s"], h["end_s"]) for h in ph["holds"]] == pytest.approx(
        [(h["side"], h["start_s"], h["end_s"]) for h in up["holds"]], abs=0.05)
    assert any("turned 90°" in n for n in ph["notes"]) and (ph["width"], ph["height"]) == (640, 360)
    assert len(ph_rows) == len(up_rows)
    for name in load_exercise("kneeling-hip-flexor").signals:
        pairs = [(float(a[name]), float(b[name])) for a, b in zip(up_rows, ph_rows, strict=True) if a[name] and b[name]]
        assert pairs, name
        assert max(abs(a - b) for a, b in pairs) <= 1.0, name


def test_live_source_folder_names_a_command_that_exists(tmp_path: Path) -> None:
    p = formcheck("live", "-e", "bridge", "--source", str(tmp_path), "--no-window", "-o", "o", cwd=tmp_path)
    line = assert_one_line_error(p, 2, "is a folder", "formcheck score FOLDER")
    assert "--images" not in line


@pytest.mark.slow
def test_image_folder_with_bad_images_used_as_its_own_out_folder(tmp_path: Path, base: Path) -> None:
    """A bad first image, a bad middle one and a truncated JPEG are skipped and named; scoring the folder
    again into itself does not read its own angles.png."""
    d = tmp_path / "photos"
    d.mkdir()
    ffmpeg("-i", base, "-frames:v", "6", d / "p%02d.png")
    (d / "p00.png").write_bytes(b"")  # sorts first
    (d / "p03.png").write_text("not a picture")
    ffmpeg("-i", base, "-frames:v", "1", d / "p05_whole.jpg")
    data = (d / "p05_whole.jpg").read_bytes()
    (d / "p04_cut.jpg").write_bytes(data[: len(data) // 2])
    for run in (1, 2):
        p = formcheck("score", str(d), "-e", "bridge", "-o", str(d), "--no-video", "--no-history", "-q", cwd=tmp_path)
        assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
        report = json.loads((d / "report.json").read_text())
        jsonschema.validate(report, SCHEMA)
        notes = " | ".join(report["notes"])
        for name in ("p00.png", "p03.png", "p04_cut.jpg: truncated JPEG"):
            assert name in notes
        assert report["frames"] == 6  # p01, p02, p04, p05, p05_whole, p06: not the three bad ones
        assert ("angles.png" in notes) == (run == 2)
