"""Frame sources: a video file or a folder of images -> timestamped BGR frames.

Timestamps are seconds from the start of the source, taken from the video's own
presentation times (never frame index x nominal fps), so variable-frame-rate phone
videos and dropped frames are timed correctly. Frames come out upright: a video's display
rotation and an image's EXIF orientation are applied. What was done or lost on the way is
said in ``SourceInfo.notes`` and ``SourceInfo.decode_errors`` (they go into the report).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from formcheck.errors import InputError, NoUsableFramesError
from formcheck.media.frame import Frame, SourceInfo
from formcheck.media.rate import is_analysed

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")
# Smallest --max-side (pixels): half the pose model's 256-pixel input; far smaller frames find no one
# (--max-side 10 reported "no person" for a clip that has one), which would mislead.
MIN_MAX_SIDE = 128
# Consecutive failed grabs after which a video is taken to have ended. A corrupt stretch fails one
# grab per undecodable frame or so; at the real end each grab fails in microseconds, so a generous
# limit costs nothing and lets decoding resume after a long corrupt stretch (~100 s at 30 fps).
MAX_FAILED_GRABS = 3000
_TURNS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def check_max_side(max_side: int) -> int:
    """``--max-side``: 0 (keep the source's size) or at least ``MIN_MAX_SIDE`` pixels."""
    if max_side == 0 or max_side >= MIN_MAX_SIDE:
        return max_side
    why = " — smaller frames are too coarse for the pose model" if max_side > 0 else ""
    raise InputError(f"--max-side must be 0 (keep the size) or at least {MIN_MAX_SIDE} pixels, got {max_side}{why}")


def scale_to_fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Size (w, h) no larger than ``max_side`` pixels on the long side, aspect kept."""
    long_side = max(width, height)
    if max_side <= 0 or long_side <= max_side:
        return width, height
    s = max_side / long_side
    return max(2, round(width * s)), max(2, round(height * s))


def _display_rotation(cap: cv2.VideoCapture) -> int:
    """Clockwise degrees (0, 90, 180 or 270) that turn the stored frames upright, from the
    container's display matrix (what phones write; old ffmpeg's ``rotate`` tag is stored in the
    same matrix in mp4/mov). OpenCV reads it as ``CAP_PROP_ORIENTATION_META``; its own rotation
    (``CAP_PROP_ORIENTATION_AUTO``) is switched off so frames are turned here exactly once,
    after the cheaper downscale, whatever the OpenCV build's default."""
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    return (round(float(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0.0) / 90) * 90) % 360


RECOVERY_S = 2.0  # seconds after a corrupt stretch in which time jumps still belong to it


class _CorruptStretches:
    """Corrupt stretches met while decoding a video, for the report.

    One starts with grabs that fail. The decoder then resumes with frames whose reference frames
    were lost: for a while their times jump ahead (and back) while frames are still being lost, so
    time jumps belong to the same stretch until ``RECOVERY_S`` seconds of frames came in order.
    Frames lost = frame slots (1/fps s) between its last good frame and its end, less those decoded
    in between. A stretch that lost no frame slot is not noted (the decoder only needed more data).
    """

    def __init__(self, fps: float) -> None:
        self.step = 1.0 / fps
        self.lost = 0  # frames lost in all stretches so far
        self.notes: list[str] = []
        self._start: float | None = None  # time of the last good frame before it (-step: none)
        self._end = 0.0
        self._seen: list[float] = []  # times of the frames decoded since it began
        self._quiet = 0  # frames decoded in order since its end last moved

    def frame(self, last_t: float, t: float, after_failure: bool) -> None:
        """A frame decoded at ``t`` s after one at ``last_t`` (< 0: the first), after failed grabs or not."""
        if after_failure and self._start is None:
            self._start, self._end, self._seen, self._quiet = (last_t if last_t >= 0 else -self.step), t, [], 0
        elif self._start is not None:
            if after_failure or t - last_t > 1.5 * self.step:
                self._end, self._quiet = max(self._end, t), 0
            else:
                self._quiet += 1
            self._seen.append(t)
            if self._quiet * self.step > RECOVERY_S:
                self.close()

    def close(self) -> None:
        """End the stretch being followed (at the end of the video, too) and note it."""
        if self._start is None:
            return
        start, end = self._start, self._end
        inside = sum(start < x < end for x in self._seen)
        lost = round((end - start) / self.step) - 1 - inside
        self._start = None
        if lost < 1:
            return
        self.lost += lost
        since = f"between {start:.2f} s and" if start >= 0 else "before"
        self.notes.append(f"no frame could be decoded {since} {end:.2f} s (corrupt data, about {lost} frames lost); "
                          f"scoring resumed at {end:.2f} s")


class VideoFileSource:
    """Reads a video file with OpenCV; frames are turned upright (display rotation metadata) and
    optionally downscaled to ``max_side`` pixels.

    A corrupt stretch does not end decoding: reading resumes at the next decodable frame and the
    gap (its seconds) is noted in ``info.decode_errors``.
    """

    def __init__(self, path: str | Path, max_side: int = 0) -> None:
        p = Path(path)
        if not p.exists():
            raise InputError(f"{p}: file not found — check the path")
        if p.is_dir():
            raise InputError(f"{p}: is a folder — give a video file (a folder of images can be scored with "
                             "`formcheck score FOLDER`)")
        if p.stat().st_size == 0:
            raise NoUsableFramesError(f"{p}: the file is empty (0 bytes) — record or copy the video again")
        cap = cv2.VideoCapture(str(p))
        if not cap.isOpened():
            cap.release()
            raise InputError(f"{p}: not a readable video (no video stream could be decoded: not a video, sound only, "
                             "or cut short before its index was written) — use a complete mp4/mov/avi file")
        w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if w <= 0 or h <= 0:
            cap.release()
            raise InputError(f"{p}: not a video (no picture size found) — use an mp4/mov/avi file")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count = max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
        rotation = _display_rotation(cap)
        quarter = rotation in (90, 270)
        up_w, up_h = scale_to_fit(*((h, w) if quarter else (w, h)), max_side)  # upright size
        self._cap = cap
        self.frames_read = 0  # frame indices the read went through (analysed or not), once it ended
        self._turn = _TURNS.get(rotation)
        self._size = (up_h, up_w) if quarter else (up_w, up_h)  # the same size as stored, before turning
        self.info = SourceInfo(str(p), up_w, up_h, fps, count, "video", rotation=rotation)
        if rotation:
            self.info.notes.append(f"video turned {rotation}° clockwise to stand upright, as its rotation "
                                   "metadata asks (phone recording)")

    def __iter__(self) -> Iterator[Frame]:
        return self.frames()

    def frames(self, start: int = 0, stop: int | None = None, rate: float | None = None) -> Iterator[Frame]:
        """Frames with ``start <= index < stop`` (to the end when ``stop`` is None); with ``rate``
        (Hz) only those analysed at that rate (:func:`formcheck.media.rate.is_analysed`).

        Frames before ``start`` and frames not analysed at ``rate`` are grabbed but never retrieved
        (no conversion to BGR, no resize) rather than seeked over, so indices and timestamps are
        exactly those of a read from the beginning (container seeks can land on another frame).
        One pass only: the capture is released at the end.
        """
        cap = self._cap
        index = 0
        last_t = -1.0
        fps = self.info.fps if self.info.fps > 0 else 30.0
        failed = 0  # grabs failed since the last decoded frame
        corrupt = _CorruptStretches(fps)
        try:
            while (stop is None or index < stop) and failed < MAX_FAILED_GRABS:
                if not cap.grab():
                    failed += 1
                    continue
                t = float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
                # Some containers report no PTS (0 for every frame), and frames decoded after a
                # corrupt stretch can come out of order: never let time run backwards.
                if t <= last_t:
                    t = last_t + 1.0 / fps if index > 0 else 0.0
                wanted = index >= start and is_analysed(t, last_t if index > 0 else None, rate, fps)
                img = cap.retrieve()[1] if wanted else None
                if wanted and img is None:
                    failed += 1
                    continue
                corrupt.frame(last_t, t, failed > 0)
                failed = 0
                last_t = t
                if img is not None:
                    if (img.shape[1], img.shape[0]) != self._size:
                        img = cv2.resize(img, self._size, interpolation=cv2.INTER_AREA)
                    if self._turn is not None:
                        img = cv2.rotate(img, self._turn)
                    yield Frame(index, t, img)
                index += 1
        finally:
            self.frames_read = index
            cap.release()
            corrupt.close()
            self.info.decode_errors.extend(corrupt.notes)
        claimed = self.info.frame_count
        if claimed and index + corrupt.lost < min(claimed - 1, stop if stop is not None else claimed):
            self.info.decode_errors.append(
                f"decoding stopped after {index} of {claimed} frames (truncated or corrupt file); "
                "the rest of the video was not scored"
            )


# formcheck's own image output (report/outputs.py writes it beside report.json): skipped when an
# image folder was also used as --out, so a rerun does not score its own plot.
OWN_OUTPUT_IMAGES = ("angles.png",)
OWN_OUTPUT_MARKER = "report.json"


def jpeg_is_truncated(data: bytes) -> bool:
    """True when JPEG ``data`` stops before its end-of-image marker (``cv2.imread`` then decodes the
    top part over grey, silently; ``cv2.imdecode`` refuses it). Entropy-coded data never holds
    0xFFD9 or 0xFFDA (0xFF is byte-stuffed there), so the main image is complete exactly when an EOI
    follows its last start-of-scan; bytes appended after the EOI (a camera's trailer) do not count."""
    return data.rfind(b"\xff\xd9") < data.rfind(b"\xff\xda")


def exif_orientation(path: Path) -> int:
    """The EXIF orientation tag of an image file (1 = upright, also when absent or unreadable)."""
    try:
        from PIL import Image  # installed with matplotlib; reads the header only

        with Image.open(path) as im:
            return int(im.getexif().get(0x0112, 1))
    except (ImportError, OSError, ValueError, TypeError):
        return 1


class ImageFolderSource:
    """Images in a folder, in name order, spaced ``1 / fps`` seconds apart.

    Images are turned upright from their EXIF orientation (OpenCV's decoder does it). Unreadable
    images and truncated JPEGs are skipped, wherever they are, each with a note in
    ``info.decode_errors``: a truncated JPEG decodes as its top part over grey, which would
    mislead the pose model. The size is the first readable image's.
    """

    def __init__(self, folder: str | Path, fps: float = 30.0, max_side: int = 0) -> None:
        d = Path(folder)
        if not d.is_dir():
            raise InputError(f"{d}: not a folder of images")
        files = sorted(f for f in d.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file())
        notes: list[str] = []
        if (d / OWN_OUTPUT_MARKER).is_file():
            own = [f for f in files if f.name in OWN_OUTPUT_IMAGES]
            files = [f for f in files if f not in own]
            notes += [f"{f.name}: formcheck's own output from an earlier run into this folder; skipped" for f in own]
        if not files:
            raise NoUsableFramesError(f"{d}: no images ({', '.join(IMAGE_SUFFIXES)}) in this folder")
        self._files = files
        self.frames_read = 0  # image indices the last read went through, once it ended
        self.info = SourceInfo(str(d), 0, 0, fps, len(files), "images")
        first = next(iter(self._read(0, None)), None)
        if first is None:
            raise NoUsableFramesError(f"{d}: none of the {len(files)} images could be read (damaged, truncated or "
                                      "not images) — copy the pictures again")
        h, w = first[1].shape[:2]
        self.info.width, self.info.height = scale_to_fit(w, h, max_side)
        turned = sum(exif_orientation(f) != 1 for f in files)
        if turned:
            notes.append(f"{turned} of {len(files)} images turned upright from their EXIF orientation")
        self.info.notes.extend(notes)

    def _read(self, start: int, stop: int | None) -> Iterator[tuple[int, np.ndarray]]:
        """(index, full-size image) of each readable image with ``start <= index < stop``; the others
        are noted in ``info.decode_errors`` and skipped."""
        for i, f in enumerate(self._files[start:stop], start):
            data = f.read_bytes()
            img = None
            if data.startswith(b"\xff\xd8") and jpeg_is_truncated(data):
                why = "truncated JPEG (its lower part is missing)"
            else:
                img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
                why = "not a readable image" if img is None else ""
            if why:
                note = f"{f.name}: {why}; skipped"
                if note not in self.info.decode_errors:
                    self.info.decode_errors.append(note)
                continue
            assert img is not None
            yield i, img

    def __iter__(self) -> Iterator[Frame]:
        return self.frames()

    def frames(self, start: int = 0, stop: int | None = None, rate: float | None = None) -> Iterator[Frame]:
        """Images with ``start <= index < stop`` (to the last when ``stop`` is None); with ``rate`` (Hz)
        only those analysed at that rate. Every image is still read, so each unreadable one is noted
        and a readable one takes its place in its slot (the rate saves the pose model, not the reading)."""
        size = (self.info.width, self.info.height)
        fps = self.info.fps
        prev_t: float | None = None
        for i, img in self._read(start, stop):
            t = i / fps
            keep, prev_t = is_analysed(t, prev_t, rate, fps), t
            if not keep:
                continue
            if (img.shape[1], img.shape[0]) != size:
                img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
            yield Frame(i, i / self.info.fps, img)
        self.frames_read = len(self._files) if stop is None else min(stop, len(self._files))


def open_source(path: str | Path, max_side: int = 0) -> VideoFileSource | ImageFolderSource:
    """Open a video file, or a folder of images, as a frame source."""
    p = Path(path)
    if p.is_dir():
        return ImageFolderSource(p, max_side=max_side)
    return VideoFileSource(p, max_side=max_side)
