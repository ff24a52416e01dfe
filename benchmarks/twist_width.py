"""Can a side view see a trunk twist? Apparent shoulder and hip widths (landmark x separation divided by
the hip->shoulder length) of the rendered half-kneeling figure with its upper body turned 0-45 deg toward
the front leg, read by MediaPipe vs the truth, in a true side view and 20 deg off it.

    python benchmarks/twist_width.py

Measured 2026-12-03 (one still frame per pose, tracking mode over 8 copies): in a true side view the
shoulder width read 0.06-0.08 at 0 deg, 0.01-0.05 at 15 deg (no change), 0.32-0.38 at 30 deg (true 0.33),
0.51-0.54 at 45 deg (true 0.48); MediaPipe widens the hips with the shoulders (0.08-0.25 while the true
hip width stays 0.01); 20 deg of camera yaw alone reads 0.10-0.22 at 0 deg of twist.
"""

from __future__ import annotations

import numpy as np

from formcheck.pose import landmarks as lm
from formcheck.synth import postures as P
from formcheck.synth.kinematics import forward_kinematics, to_world
from formcheck.synth.mpcheck import run_mediapipe
from formcheck.synth.render import Scene, render
from formcheck.synth.script import CameraSpec
from formcheck.synth.shapes import Outfit, build_primitives
from formcheck.synth.skeleton import body_dims


def widths(xy: np.ndarray) -> tuple[float, float]:
    """Apparent shoulder and hip widths (x separation, px) over the hip->shoulder length (px)."""
    mid_sh = xy[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]].mean(0)
    mid_hip = xy[[lm.LEFT_HIP, lm.RIGHT_HIP]].mean(0)
    trunk = float(np.linalg.norm(mid_sh - mid_hip))
    return (abs(xy[lm.LEFT_SHOULDER, 0] - xy[lm.RIGHT_SHOULDER, 0]) / trunk,
            abs(xy[lm.LEFT_HIP, 0] - xy[lm.RIGHT_HIP, 0]) / trunk)


def main() -> None:
    d = body_dims(1.75)
    for yaw in (0.0, 20.0):
        spec = CameraSpec(yaw_deg=yaw, distance=2.7, target_f=-0.1, target_u=0.62)
        for facing, kneel in ((1, "left"), (-1, "right")):
            sign = 1 if kneel == "right" else -1  # turn toward the front leg (+ = chest to the left)
            for tw in (0, 15, 30, 45):
                pose = P.half_kneeling(d, kneel, back_thigh=-8, arms="knee").with_(twist=sign * tw)
                k = forward_kinematics(pose, d)
                cam = spec.camera(640, 480, facing)
                image = render(build_primitives(k, Outfit(), facing), cam, Scene()).image
                xy, _ = cam.project(to_world(k.landmarks, facing))
                mp = run_mediapipe([image] * 8)
                t_sh, t_hip = widths(xy)
                m_sh, m_hip = widths(mp.xy[-1])
                print(f"yaw {yaw:+.0f} facing {facing:+d} kneel {kneel} twist {tw:2d}: true shoulders {t_sh:.3f} "
                      f"hips {t_hip:.3f} | read shoulders {m_sh:.3f} hips {m_hip:.3f}")


if __name__ == "__main__":
    main()
