"""Render speed of the synthetic mannequin at 640x480.

Run: ``python benchmarks/render_speed.py [n_frames]``. Prints mean and p95 ms per frame for a
lunge pose and a bridge pose (forward kinematics + primitives + ray casting; no video encoding),
and the implied time for a 30 s clip at 15 fps.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from formcheck.synth import postures as P
from formcheck.synth.camera import Camera
from formcheck.synth.kinematics import forward_kinematics
from formcheck.synth.render import render
from formcheck.synth.shapes import Outfit, build_primitives
from formcheck.synth.skeleton import body_dims


def bench(name: str, pose_at, cam: Camera, n: int) -> None:
    """Time ``n`` frames of a slightly moving pose (so nothing is cached but the background)."""
    d = body_dims(1.75)
    times = []
    for i in range(n + 1):
        t0 = time.perf_counter()
        k = forward_kinematics(pose_at(i), d)
        render(build_primitives(k, Outfit(), 1), cam)
        times.append(time.perf_counter() - t0)
    ms = np.array(times[1:]) * 1000  # the first frame also builds the cached background
    print(f"{name:7s} mean {ms.mean():6.1f} ms  p95 {np.percentile(ms, 95):6.1f} ms  "
          f"first {times[0] * 1000:6.1f} ms  -> 30 s at 15 fps: {ms.mean() * 450 / 1000:5.1f} s")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    d = body_dims(1.75)
    print(f"640x480, {n} frames each")
    bench("lunge", lambda i: P.half_kneeling(d, "left", back_thigh=-10 - 0.1 * i, tilt=0.2 * i),
          Camera(distance=2.7, target=(-0.1, 0.62, 0.0)), n)
    hu = P.bridge_hip_u(d, 178.0)
    bench("bridge", lambda i: P.supine(d, hip_u=hu - 0.001 * i),
          Camera(distance=2.7, pitch_deg=6.0, target=(-0.25, 0.32, 0.0)), n)


if __name__ == "__main__":
    main()
