"""Is the camera set up well enough to judge? Whole body in view, side on, neither too close nor too far.

A pure function of one raw pose observation, used by the live mode's set-up phase before any
timing starts. Pixel coordinates (x right, y down); sizes are fractions of the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.pose import landmarks as lm
from formcheck.pose.base import PoseObservation

# The joints that every exercise's angles need.
BODY_POINTS = (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP,
               lm.LEFT_KNEE, lm.RIGHT_KNEE, lm.LEFT_ANKLE, lm.RIGHT_ANKLE)  # left/right pairs, in order
MIN_VISIBILITY = 0.5
EDGE_MARGIN = 0.01       # a joint closer than this fraction of the frame to an edge counts as cut off
MIN_BODY_EXTENT = 0.25   # the body's longest extent must cover at least this fraction of the frame (a
# lying body at 0.30 of a 640-px frame still gives bridge-line angles within ~1 degree)
# Side on: the left-right shoulder and hip pairs are close together in the image. Facing the
# camera they are apart by most of a torso length (shoulders ~0.8-1.0, hips ~0.5-0.7).
MAX_PAIR_SPREAD = 0.6   # fraction of the torso length (mid-shoulder to mid-hip, pixels)


@dataclass(frozen=True)
class SetupVerdict:
    """``ok`` when the view can be judged; otherwise ``code`` and a short instruction ``message``."""

    ok: bool
    code: str
    message: str


SETUP_OK = SetupVerdict(True, "ok", "Set-up good")


def check_setup(obs: PoseObservation | None, width: int, height: int) -> SetupVerdict:
    """Judge the camera set-up from one observation in a ``width`` x ``height`` pixel frame."""
    if obs is None:
        return SetupVerdict(False, "no_person", "Step into view, side on to the camera")
    pts = obs.xy[list(BODY_POINTS)]
    vis = obs.vis[list(BODY_POINTS)]
    size = np.array([width, height], dtype=float)
    rel = pts / size
    inside = np.all((rel > EDGE_MARGIN) & (rel < 1 - EDGE_MARGIN), axis=1)
    # Lying or kneeling side on, the far limb is often hidden: one joint of each left/right pair is enough.
    pair_seen = np.maximum(vis[0::2], vis[1::2]) >= MIN_VISIBILITY
    if not np.all(inside) or not np.all(pair_seen):
        return SetupVerdict(False, "cut_off", "Step back: your whole body must be in the picture")
    extent = (rel.max(axis=0) - rel.min(axis=0)).max()
    if extent < MIN_BODY_EXTENT:
        return SetupVerdict(False, "too_far", "Come closer to the camera")
    xy = obs.xy
    mid_sh = (xy[lm.LEFT_SHOULDER] + xy[lm.RIGHT_SHOULDER]) / 2
    mid_hip = (xy[lm.LEFT_HIP] + xy[lm.RIGHT_HIP]) / 2
    torso = float(np.linalg.norm(mid_sh - mid_hip))
    if torso < 1.0:
        return SetupVerdict(False, "cut_off", "Step back: your whole body must be in the picture")
    spread = max(float(np.linalg.norm(xy[lm.LEFT_SHOULDER] - xy[lm.RIGHT_SHOULDER])),
                 float(np.linalg.norm(xy[lm.LEFT_HIP] - xy[lm.RIGHT_HIP]))) / torso
    if spread > MAX_PAIR_SPREAD:
        return SetupVerdict(False, "not_side_on", "Turn sideways to the camera")
    return SETUP_OK
