"""Render a clip script to frames, ground truth JSON and an mp4 video."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from formcheck.exercises.signal_registry import PER_LEG, UNITS
from formcheck.judge import angles
from formcheck.pose import landmarks as lm
from formcheck.synth.kinematics import forward_kinematics, to_world
from formcheck.synth.labels import FAULT_RULES, label_faults
from formcheck.synth.outline import lumbar_curvature
from formcheck.synth.render import render
from formcheck.synth.script import ClipScript
from formcheck.synth.shapes import build_primitives
from formcheck.synth.skeleton import body_dims

GT_FORMAT = "formcheck-synth-gt/1"


@dataclass(frozen=True)
class SynthFrame:
    """One rendered frame with its exact ground truth.

    ``xy`` (33, 2) pixels (x right, y down; may lie outside the image), ``xyz`` (33, 3) world
    metres (X right at zero yaw, Y up, Z toward the camera), ``tilt`` pelvic tilt in degrees
    (+ posterior), ``image`` BGR uint8 (None when not rendered), ``mask`` person silhouette,
    ``mask_curvature`` lumbar curvature of the true silhouette (NaN when not rendered).
    """

    index: int
    t: float
    xy: np.ndarray
    xyz: np.ndarray
    tilt: float
    image: np.ndarray | None
    mask: np.ndarray | None
    mask_curvature: float = float("nan")


def _jitter_affines(script: ClipScript) -> list[np.ndarray | None]:
    """Per-frame 2x3 image affine of the hand-held jitter (None when there is no jitter)."""
    im = script.imaging
    n = script.n_frames
    if im.jitter_px <= 0 and im.jitter_deg <= 0:
        return [None] * n
    rng = np.random.default_rng(im.seed + 1)
    a = math.exp(-1.0 / (0.4 * script.fps))  # random walk with ~0.4 s memory
    state = np.zeros(3)
    scale = np.array([im.jitter_px, im.jitter_px, im.jitter_deg])
    cx, cy = (script.width - 1) / 2.0, (script.height - 1) / 2.0
    out: list[np.ndarray | None] = []
    for _ in range(n):
        state = a * state + math.sqrt(1 - a * a) * rng.normal(size=3) * scale
        m: np.ndarray = cv2.getRotationMatrix2D((cx, cy), float(state[2]), 1.0)
        m[:, 2] += state[:2]
        out.append(m)
    return out


def iter_frames(script: ClipScript, *, images: bool = True) -> Iterator[SynthFrame]:
    """Yield every frame of ``script`` (ground truth always; image and mask when ``images``)."""
    dims = body_dims(script.body_height)
    cam = script.camera.camera(script.width, script.height, script.facing)
    affines = _jitter_affines(script)
    rng = np.random.default_rng(script.imaging.seed)
    for i in range(script.n_frames):
        t = i / script.fps
        pose = script.timeline.pose_at(t)
        kin = forward_kinematics(pose, dims)
        xyz = to_world(kin.landmarks, script.facing)
        xy, _ = cam.project(xyz)
        img = mask = None
        if images:
            fr = render(build_primitives(kin, script.outfit, script.facing), cam, script.scene)
            img, mask = fr.image, fr.mask
        m = affines[i]
        if m is not None:
            xy = xy @ m[:, :2].T + m[:, 2]
            if images:
                assert img is not None and mask is not None  # rendered above when `images`
                size = (script.width, script.height)
                img = cv2.warpAffine(img, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
                mask = cv2.warpAffine(mask.astype(np.uint8), m, size, flags=cv2.INTER_NEAREST) > 0
        if images and script.imaging.noise_sigma > 0:
            assert img is not None  # rendered above when `images`
            noisy = img.astype(np.float32) + rng.normal(0, script.imaging.noise_sigma, img.shape)
            img = np.clip(noisy, 0, 255).astype(np.uint8)
        curv = float("nan")
        if images:
            hip, sh = xy[[lm.LEFT_HIP, lm.RIGHT_HIP]].mean(0), xy[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]].mean(0)
            behind = to_world(np.array([*(kin.thorax.origin - 0.2 * kin.thorax.front), 0.0]), script.facing)
            hint = cam.project(behind)[0] - cam.project(to_world(kin.joints["hip_mid"], script.facing))[0]
            if m is not None:
                hint = m[:, :2] @ hint
            assert mask is not None  # rendered above when `images`
            curv = lumbar_curvature(mask, hip, sh, script.facing, back_hint=hint)
        yield SynthFrame(i, t, xy, xyz, pose.tilt, img, mask, curv)


def _r(a: np.ndarray, nd: int) -> list:
    """Nested lists rounded to ``nd`` decimals, NaN -> None."""
    a = np.round(np.asarray(a, float), nd)
    return [None if not np.all(np.isfinite(row)) else row.tolist() for row in a] if a.ndim == 2 else [
        None if not math.isfinite(x) else float(x) for x in a]


def ground_truth(script: ClipScript, frames: list[SynthFrame]) -> dict:
    """Ground-truth document (see docs/groundtruth.md) for already generated frames."""
    t = np.array([f.t for f in frames])
    xy = np.array([f.xy for f in frames])
    xy_stored = np.round(xy, 2)  # angles are computed from exactly what is stored
    tilt = np.array([f.tilt for f in frames])
    ang = angles.compute_angles(xy_stored, float(script.facing))
    faults = label_faults(script, t, ang, tilt)
    cam = script.camera.camera(script.width, script.height, script.facing)
    near = "right" if script.facing == 1 else "left"
    frame_docs: list[dict[str, object]] = []
    doc = {
        "format": GT_FORMAT,
        "clip": script.name,
        "exercise": script.exercise,
        "description": script.description,
        "tags": list(script.tags),
        "fps": script.fps,
        "width": script.width,
        "height": script.height,
        "n_frames": len(frames),
        "duration_s": script.duration_s,
        "facing": script.facing,
        "near_side": near,
        "side": script.side,
        "body_height_m": script.body_height,
        "camera": {**asdict(script.camera), "world": asdict(cam), "focal_px": cam.focal_px},
        "imaging": asdict(script.imaging),
        "holds": [asdict(h) for h in script.holds],
        "reps": [asdict(r) for r in script.reps],
        "baseline": asdict(script.baseline) if script.baseline else None,
        "fault_rules": FAULT_RULES[script.exercise],
        "angle_units": {k: UNITS[k] for k in ("trunk_lean", "shoulder_turn", *PER_LEG)},
        "landmark_names": list(lm.NAMES),
        "frames": frame_docs,
    }
    for i, f in enumerate(frames):
        frame_docs.append({
            "i": f.index,
            "t": round(f.t, 6),
            "xy": _r(xy_stored[i], 2),
            "xyz": _r(f.xyz, 3),
            "pelvic_tilt_deg": round(float(tilt[i]), 4),
            "mask_curvature": None if not math.isfinite(f.mask_curvature) else round(f.mask_curvature, 5),
            "angles": {k: (None if not np.isfinite(v[i]) else round(float(v[i]), 3)) for k, v in ang.items()},
            "faults": faults[i],
        })
    return doc


def render_clip_script(script: ClipScript, out_dir: str | Path, *,
                       progress: Callable[[int, int], None] | None = None) -> tuple[Path, Path]:
    """Write ``<name>.mp4`` (mp4v) and ``<name>.json`` into ``out_dir``; returns both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    video, gt_path = out / f"{script.name}.mp4", out / f"{script.name}.json"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), script.fps,  # type: ignore[attr-defined]
                             (script.width, script.height))
    if not writer.isOpened():
        raise RuntimeError(f"cannot open a video writer for {video}")
    frames: list[SynthFrame] = []
    total = script.n_frames
    try:
        for fr in iter_frames(script):
            assert fr.image is not None  # iter_frames renders images by default
            writer.write(fr.image)
            frames.append(SynthFrame(fr.index, fr.t, fr.xy, fr.xyz, fr.tilt, None, None, fr.mask_curvature))
            if progress is not None:
                progress(fr.index + 1, total)
    finally:
        writer.release()
    gt_path.write_text(json.dumps(ground_truth(script, frames), separators=(",", ":")))
    return video, gt_path
