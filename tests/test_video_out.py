"""The annotated-video writer: real H.264 files from the bundled ffmpeg, the OpenCV fallback, errors."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from formcheck.errors import FormcheckError, InputError
from formcheck.media import video_out
from formcheck.media.video_out import H264Writer, open_video_writer
from tests.media import decoded_frames, top_level_boxes, video_codec_and_size

W, H, N = 161, 97, 30  # odd on purpose: yuv420p needs even sizes


def frames() -> list[np.ndarray]:
    """Frames whose brightness rises 0, 8, 16, ... with a white bar moving right: order is checkable."""
    out = []
    for i in range(N):
        img = np.full((H, W, 3), 8 * i, np.uint8)
        img[40:60, 4 * i:4 * i + 10] = 255
        out.append(img)
    return out


def test_h264_writer_from_another_thread_makes_a_faststart_h264_file(tmp_path):
    path = tmp_path / "a.mp4"
    w = open_video_writer(path, 15.0, (W, H))
    assert isinstance(w, H264Writer)
    t = threading.Thread(target=lambda: [w.write(f) for f in frames()])
    t.start()
    t.join()
    w.release()
    w.release()  # idempotent
    codec, pix, size = video_codec_and_size(path)
    assert (codec, pix) == ("h264", "yuv420p")
    assert size == (W + 1, H + 1)  # padded to even, not scaled
    boxes = top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat")  # playable while downloading
    got = decoded_frames(path)
    assert len(got) == N
    means = [float(g[:, :W - 1][:30].mean()) for g in got]  # a region the moving bar never reaches
    assert means == pytest.approx([8 * i for i in range(N)], abs=5)  # lossy: within 5 of steps 8 apart
    assert all(b > a for a, b in zip(means, means[1:], strict=False))  # every frame, in order
    with pytest.raises(ValueError):
        w.write(frames()[0])


def test_wrong_frame_size_is_refused(tmp_path):
    w = open_video_writer(tmp_path / "a.mp4", 15.0, (W, H))
    with pytest.raises(ValueError, match="161x97"):
        w.write(np.zeros((H, W + 2, 3), np.uint8))
    w.release()


def test_mp4v_on_request_is_opencv(tmp_path):
    path = tmp_path / "b.mp4"
    w = open_video_writer(path, 15.0, (W + 1, H + 1), codec="mp4v")
    assert isinstance(w, video_out.Mp4vWriter)
    for f in frames():
        w.write(cv2.resize(f, (W + 1, H + 1)))
    w.release()
    assert video_codec_and_size(path)[0] == "mpeg4"


def test_without_the_bundled_ffmpeg_it_falls_back_with_one_warning_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(video_out, "find_h264_ffmpeg", lambda: (None, "imageio-ffmpeg is not installed"))
    w = open_video_writer(tmp_path / "c.mp4", 15.0, (W + 1, H + 1))
    assert isinstance(w, video_out.Mp4vWriter)
    w.release()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("formcheck: warning: imageio-ffmpeg is not installed")


def test_unwritable_folder_fails_at_open(tmp_path):
    with pytest.raises(InputError, match="cannot write the annotated video"):
        open_video_writer(tmp_path / "missing" / "a.mp4", 15.0, (W, H))


def test_encoder_failure_is_reported_and_leaves_no_file(small_disk):
    """A 16 KB disk (a real tmpfs): ffmpeg fails with "no space left" and exits non-zero; the error says
    so, and neither annotated.mp4 nor its temporary file is left."""
    disk = small_disk(16 * 1024)
    if not disk.mounted:
        pytest.skip("cannot mount a small tmpfs here (not root, or mounting not permitted)")
    w = open_video_writer(disk.folder / "annotated.mp4", 15.0, (W, H))
    noise = [np.random.default_rng(i).integers(0, 255, (H, W, 3), dtype=np.uint8) for i in range(N)]
    with pytest.raises(FormcheckError, match="video encoder"):
        for _ in range(10):
            for f in noise:
                w.write(f)
        w.release()
    assert list(disk.folder.iterdir()) == []


def test_an_unfinished_video_never_replaces_an_earlier_one(tmp_path):
    old = tmp_path / "annotated.mp4"
    old.write_bytes(b"the earlier run's video")
    w = open_video_writer(old, 15.0, (W, H))
    assert old.read_bytes() == b"the earlier run's video"  # being encoded under a temporary name
    for f in frames():
        w.write(f)
    w.release()
    assert len(decoded_frames(old)) == N and [p.name for p in tmp_path.iterdir()] == ["annotated.mp4"]
