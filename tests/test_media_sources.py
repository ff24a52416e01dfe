"""Reading sources robustly: rotation metadata, corrupt stretches, bad images in a folder, EXIF
orientation, formcheck's own output in an input folder, and the annotated video's timing for a
variable-frame-rate source. Real files made here with the bundled ffmpeg, OpenCV and Pillow."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from formcheck.errors import InputError, NoUsableFramesError
from formcheck.media.sources import ImageFolderSource, VideoFileSource, check_max_side
from formcheck.media.video_out import ConstantRateVideo
from tests.media import corrupt_middle, decoded_frames, duration_s, ffmpeg, rotated_copy

W, H = 160, 96  # landscape, so a turn shows in the size


@pytest.fixture(scope="module")
def upright(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1 s, 160x96: black with a white block in the top-left corner (which way is up is checkable)."""
    path = tmp_path_factory.mktemp("up") / "up.mp4"
    ffmpeg("-f", "lavfi", "-i", f"color=black:s={W}x{H}:r=15:d=1", "-vf", "drawbox=x=0:y=0:w=40:h=24:c=white:t=fill",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path)
    return path


def corner_is_top_left(img: np.ndarray) -> bool:
    h, w = img.shape[:2]
    q = [img[: h // 4, : w // 4].mean(), img[: h // 4, -w // 4:].mean(), img[-h // 4:, : w // 4].mean(),
         img[-h // 4:, -w // 4:].mean()]
    return q[0] > 200 and max(q[1:]) < 50


@pytest.mark.parametrize("r", [90, 180, 270])
def test_rotated_video_is_read_upright(tmp_path, upright, r):
    path = rotated_copy(upright, tmp_path / f"rot{r}.mp4", r)
    stored = decoded_frames(path)[0]  # OpenCV alone: the stored, turned picture
    assert not corner_is_top_left(stored)
    src = VideoFileSource(path)
    frames = list(src)
    assert src.info.rotation == r
    assert (src.info.width, src.info.height) == (W, H)
    assert len(frames) == 15 and all(f.image.shape == (H, W, 3) for f in frames)
    assert all(corner_is_top_left(f.image) for f in frames)
    assert any(f"turned {r}°" in n for n in src.info.notes)


def test_rotated_video_is_downscaled_on_its_upright_long_side(tmp_path, upright):
    src = VideoFileSource(rotated_copy(upright, tmp_path / "rot.mp4", 90), max_side=128)
    img = next(iter(src)).image
    assert (src.info.width, src.info.height) == (128, 77) and img.shape == (77, 128, 3)
    assert corner_is_top_left(img)


def test_unrotated_video_is_left_as_stored(upright):
    src = VideoFileSource(upright)
    assert src.info.rotation == 0 and src.info.notes == []
    assert corner_is_top_left(next(iter(src)).image)


def test_corrupt_stretch_does_not_end_decoding(tmp_path):
    clean = tmp_path / "clean.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30:duration=4", "-c:v", "libx264", "-preset", "ultrafast",
           "-g", "15", clean)
    src = VideoFileSource(corrupt_middle(clean, tmp_path / "bad.mp4"))
    frames = list(src)
    ts = [f.t for f in frames]
    assert ts[-1] > 3.9  # read to the end, past the gap
    assert 60 < len(frames) < 120  # some, not all, were lost
    gaps = [(a, b) for a, b in zip(ts, ts[1:], strict=False) if b - a > 0.1]
    assert len(gaps) == 1
    (a, b), = gaps
    assert [f"no frame could be decoded between {a:.2f} s and {b:.2f} s" in n for n in src.info.decode_errors] \
        == [True], src.info.decode_errors  # one note, naming the gap's seconds, and no "stopped" note


def test_image_folder_skips_unreadable_first_and_middle_images_and_truncated_jpegs(tmp_path):
    d = tmp_path / "imgs"
    d.mkdir()
    good = np.full((60, 80, 3), 90, np.uint8)
    (d / "a_first.jpg").write_bytes(b"not a picture")
    cv2.imwrite(str(d / "b.png"), good)
    (d / "c_middle.png").write_bytes(b"")
    ok, jpg = cv2.imencode(".jpg", np.random.default_rng(0).integers(0, 255, (60, 80, 3), np.uint8))
    (d / "d_cut.jpg").write_bytes(jpg.tobytes()[: len(jpg) // 2])
    cv2.imwrite(str(d / "e.jpg"), good)
    src = ImageFolderSource(d)
    frames = list(src)
    assert [f.index for f in frames] == [1, 4]
    assert (src.info.width, src.info.height) == (80, 60)
    errors = " | ".join(src.info.decode_errors)
    for name in ("a_first.jpg", "c_middle.png", "d_cut.jpg: truncated JPEG"):
        assert name in errors
    assert len(src.info.decode_errors) == 3


def test_image_folder_with_no_readable_image_is_one_clear_error(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"nope")
    with pytest.raises(NoUsableFramesError, match="none of the 1 images could be read"):
        ImageFolderSource(tmp_path)


def test_jpeg_exif_orientation_is_applied_and_noted(tmp_path):
    img = np.zeros((60, 100, 3), np.uint8)
    img[:15] = 255  # a white band along the top, as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90° clockwise to show"
    Image.fromarray(img).save(tmp_path / "phone.jpg", exif=exif.tobytes())
    src = ImageFolderSource(tmp_path)
    shown = next(iter(src)).image
    assert shown.shape == (100, 60, 3)  # portrait
    assert shown[:, -10:].mean() > 200 and shown[:, :10].mean() < 50  # the band is now on the right
    assert src.info.notes == ["1 of 1 images turned upright from their EXIF orientation"]


def test_own_angles_plot_is_not_read_back_from_an_output_folder(tmp_path):
    cv2.imwrite(str(tmp_path / "p1.png"), np.full((40, 40, 3), 50, np.uint8))
    cv2.imwrite(str(tmp_path / "angles.png"), np.full((40, 40, 3), 50, np.uint8))
    assert ImageFolderSource(tmp_path).info.frame_count == 2  # no report here: just a picture
    (tmp_path / "report.json").write_text("{}")
    src = ImageFolderSource(tmp_path)
    assert src.info.frame_count == 1 and any("angles.png" in n for n in src.info.notes)


def test_live_source_folder_error_names_a_real_command(tmp_path):
    with pytest.raises(InputError) as e:
        VideoFileSource(tmp_path)
    assert "--images" not in str(e.value) and "formcheck score" in str(e.value)


@pytest.mark.parametrize(("value", "ok"), [(0, True), (128, True), (720, True), (127, False), (10, False),
                                           (-5, False)])
def test_max_side_is_zero_or_at_least_128(value, ok):
    if ok:
        assert check_max_side(value) == value
    else:
        with pytest.raises(InputError, match="--max-side must be 0"):
            check_max_side(value)


def test_annotated_video_of_a_variable_rate_source_keeps_its_timing(tmp_path):
    """60 frames: 30 in the first second, then 30 at 10 fps (4 s, 15 fps on average). Each frame's
    brightness rises with its index, so the output frame at any time says which input frame is shown."""
    src_path = tmp_path / "vfr.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=black:s=64x48:r=30:d=2", "-vf",
           "geq=lum='4*N':cb=128:cr=128,setpts='if(lt(N,30),N/30,1+(N-30)/10)/TB'", "-fps_mode", "vfr",
           "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", src_path)
    src = VideoFileSource(src_path)
    video = ConstantRateVideo(tmp_path / "annotated.mp4", src.info.fps, (64, 48))
    frames = list(src)
    for f in frames:
        video.add(f.t, f.image)
    video.close()
    out = decoded_frames(tmp_path / "annotated.mp4")
    fps = src.info.fps
    assert fps == pytest.approx(15, abs=0.5)
    for t_play in (0.5, 2.5, 3.5):  # the input frame on screen at t_play
        shown = max(i for i, f in enumerate(frames) if f.t <= t_play + 1e-6)
        got = out[round(t_play * fps)].mean()
        assert got == pytest.approx(frames[shown].image.mean(), abs=3), t_play  # neighbours differ by ~4.7
    input_end = frames[-1].t + 1 / fps
    assert abs(duration_s(tmp_path / "annotated.mp4") - input_end) <= 1 / fps + 1e-3


def test_corrupt_stretch_in_real_footage_loses_only_the_undecodable_frames(tmp_path, real_data):
    """The issue's case: 200 KB zeroed in the middle of a real 21 s phone clip. Decoding used to stop
    there (275 frames lost); the frames after it are read and the note counts what was lost."""
    clip = real_data / "videos/lunge/lunge_static_outdoor_front_portrait.mp4"
    data = bytearray(clip.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 200_000] = bytes(200_000)
    (tmp_path / "bad.mp4").write_bytes(bytes(data))
    src = VideoFileSource(tmp_path / "bad.mp4", max_side=320)
    frames = list(src)
    assert frames[-1].t > 21.0
    (note,) = src.info.decode_errors  # one stretch, and decoding did not stop
    lost = int(note.split("about ")[1].split(" frames")[0])
    assert 40 < lost < 150
    assert abs(len(frames) + lost - src.info.frame_count) <= 3
