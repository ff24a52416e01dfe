"""Check rendered frames against MediaPipe Pose: detection rate and landmark pixel error.

Used by the synth tests and to tune the mannequin's looks; it is not part of the product's
pose stage. Runs the legacy ``mediapipe.solutions.pose`` API with ``model_complexity=1``
(the only complexity whose model ships inside the mediapipe 0.10.21 wheel).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MpResult:
    """MediaPipe output for a sequence: ``xy`` (N, 33, 2) pixels (NaN when no person was found),
    ``visibility`` (N, 33), ``masks`` (N, H, W) float32 segmentation or None."""

    xy: np.ndarray
    visibility: np.ndarray
    masks: np.ndarray | None

    @property
    def detected(self) -> np.ndarray:
        """(N,) bool, a person was found in the frame."""
        return ~np.isnan(self.xy[:, 0, 0])


def run_mediapipe(frames_bgr: Iterable[np.ndarray], *, static: bool = False,
                  segmentation: bool = False) -> MpResult:
    """Run MediaPipe Pose (complexity 1) over BGR frames, in video (tracking) mode by default."""
    import cv2
    import mediapipe as mp

    xs, vs, ms = [], [], []
    with mp.solutions.pose.Pose(static_image_mode=static, model_complexity=1,
                                enable_segmentation=segmentation, min_detection_confidence=0.5,
                                min_tracking_confidence=0.5) as pose:
        for img in frames_bgr:
            h, w = img.shape[:2]
            res = pose.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
            if res.pose_landmarks is None:
                xs.append(np.full((33, 2), np.nan))
                vs.append(np.zeros(33))
                if segmentation:
                    ms.append(np.zeros((h, w), np.float32))
                continue
            lms = res.pose_landmarks.landmark
            xs.append(np.array([[p.x * w, p.y * h] for p in lms]))
            vs.append(np.array([p.visibility for p in lms]))
            if segmentation:
                seg = res.segmentation_mask
                ms.append(np.zeros((h, w), np.float32) if seg is None else np.asarray(seg, np.float32))
    return MpResult(np.array(xs), np.array(vs), np.array(ms) if segmentation else None)


# Landmarks used for the error figures: body joints (faces and hands are small and noisy).
BODY_JOINTS: tuple[int, ...] = (11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32)


def landmark_errors(pred: np.ndarray, gt: np.ndarray, joints: tuple[int, ...] = BODY_JOINTS,
                    swap_lr: bool = False) -> np.ndarray:
    """Pixel distances (N, len(joints)) between predicted and true landmarks.

    ``swap_lr``: compare each left landmark with the true *right* one (to test labelling).
    """
    from formcheck.pose import landmarks as lm

    idx = np.array(joints)
    if swap_lr:
        name_idx = {n: i for i, n in enumerate(lm.NAMES)}
        sw = []
        for j in joints:
            n = lm.NAMES[j]
            if n.startswith("left_"):
                sw.append(name_idx["right_" + n[5:]])
            elif n.startswith("right_"):
                sw.append(name_idx["left_" + n[6:]])
            else:
                sw.append(j)
        gidx = np.array(sw)
    else:
        gidx = idx
    return np.linalg.norm(pred[:, idx] - gt[:, gidx], axis=-1)


def check_clip(name: str, *, max_frames: int | None = None) -> dict[str, float]:
    """Render a named clip in memory, run MediaPipe over it and summarise against ground truth.

    Returns detection rate, mean / p95 body-joint pixel error (frames where a person was found),
    the same error with left/right swapped, and the share of frames in which MediaPipe's
    "left" knee is nearer the true anatomical left knee than the right one.
    """
    from formcheck.pose import landmarks as lm
    from formcheck.synth.clip import iter_frames
    from formcheck.synth.clips import CLIP_SCRIPTS

    script = CLIP_SCRIPTS[name]
    gts: list[np.ndarray] = []

    def images():  # stream frames; keep only the ground-truth points
        for fr in iter_frames(script):
            if max_frames is not None and fr.index >= max_frames:
                return
            gts.append(fr.xy)
            yield fr.image

    res = run_mediapipe(images())
    gt = np.array(gts)
    det = res.detected
    e = landmark_errors(res.xy[det], gt[det])
    es = landmark_errors(res.xy[det], gt[det], swap_lr=True)
    pk = res.xy[det][:, lm.LEFT_KNEE]
    left_ok = np.linalg.norm(pk - gt[det][:, lm.LEFT_KNEE], axis=1) < np.linalg.norm(
        pk - gt[det][:, lm.RIGHT_KNEE], axis=1)
    return {"frames": float(len(det)), "detected": float(det.mean()),
            "err_mean_px": float(np.nanmean(e)) if e.size else float("nan"),
            "err_p95_px": float(np.nanpercentile(e, 95)) if e.size else float("nan"),
            "err_swapped_mean_px": float(np.nanmean(es)) if es.size else float("nan"),
            "left_knee_labelled_left": float(left_ok.mean()) if left_ok.size else float("nan"),
            "facing": float(script.facing)}


def main(argv: list[str] | None = None) -> None:
    """``python -m formcheck.synth.mpcheck [clip ...]``: print the check for each clip (all by default)."""
    import sys

    from formcheck.synth.clips import CLIP_SCRIPTS

    names = (argv if argv is not None else sys.argv[1:]) or list(CLIP_SCRIPTS)
    print(f"{'clip':28s} {'frames':>6s} {'det%':>6s} {'mean':>6s} {'p95':>6s} {'swap':>6s} {'L=L%':>6s} facing")
    for n in names:
        r = check_clip(n)
        print(f"{n:28s} {r['frames']:6.0f} {100 * r['detected']:6.1f} {r['err_mean_px']:6.1f} "
              f"{r['err_p95_px']:6.1f} {r['err_swapped_mean_px']:6.1f} {100 * r['left_knee_labelled_left']:6.0f} "
              f"{r['facing']:+.0f}", flush=True)


if __name__ == "__main__":
    main()
