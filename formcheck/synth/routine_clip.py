"""A rendered recording of a whole routine: the bundled ``psoas-release`` routine shortened (9 s holds,
2 bridge reps, a 10 s supported bridge) so a test can render it.

The steps are the single-exercise clip scripts played one after another, each with its own lead-in and
way out (tall kneeling -> set-up -> stretch -> tall kneeling; lying down -> reps; lying down -> block ->
hold). Between the two kneeling sides the person stays tall kneeling and changes legs; before the
bridges the camera is moved down to the floor (a cut) and the person lies on the back, as one does when
filming lying exercises. Ground truth per step: its part of the recording, its holds and reps, in the
recording's seconds. Each step's part is also written as its own video, to score it alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import cv2

from formcheck.synth.clip import iter_frames
from formcheck.synth.clips import bridge, lunge, supported_bridge
from formcheck.synth.script import ClipScript

ROUTINE_CLIP = "routine_psoas_release"
ROUTINE_FPS = 10.0


def routine_steps(fps: float = ROUTINE_FPS) -> list[tuple[str, ClipScript]]:
    """(step side, clip script) of each step of the shortened psoas-release routine, in order."""
    return [
        ("left", lunge("routine_step1_lunge_left", "left", facing=1, hold_s=9.0, fps=fps,
                       description="Kneeling stretch, left knee down, 9 s hold.")),
        ("right", lunge("routine_step2_lunge_right", "right", facing=1, hold_s=9.0, fps=fps, outfit="blue",
                        description="Kneeling stretch, right knee down, 9 s hold.")),
        ("both", bridge("routine_step3_bridge", reps=2, fps=fps, description="Two glute-bridge reps.")),
        ("both", supported_bridge("routine_step4_supported_bridge", hold_s=10.0, fps=fps,
                                  description="Supported bridge on a block, 10 s hold.")),
    ]


def _shift(items: list[dict], dt: float) -> list[dict]:
    return [{k: (v + dt if k.endswith("_s") else v) for k, v in item.items()} for item in items]


def render_routine_clip(out_dir: str | Path, *, fps: float = ROUTINE_FPS,
                        progress: Callable[[int, int], None] | None = None) -> tuple[Path, Path]:
    """Write ``routine_psoas_release.mp4``, one ``..._stepN.mp4`` per step (the same frames) and
    ``routine_psoas_release.json`` (per step: exercise, side, start_s/end_s of its part, holds and reps,
    all in the recording's seconds) into ``out_dir``; returns (video, ground truth)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    steps = routine_steps(fps)
    first = steps[0][1]
    size = (first.width, first.height)
    fourcc = cv2.VideoWriter_fourcc(*"mp4v")  # type: ignore[attr-defined]
    video = out / f"{ROUTINE_CLIP}.mp4"
    whole = cv2.VideoWriter(str(video), fourcc, fps, size)
    total = sum(s.n_frames for _, s in steps)
    done, t0, doc_steps = 0, 0.0, []
    try:
        for n, (side, script) in enumerate(steps, 1):
            piece_path = out / f"{ROUTINE_CLIP}_step{n}.mp4"
            piece = cv2.VideoWriter(str(piece_path), fourcc, fps, size)
            try:
                for fr in iter_frames(script):
                    assert fr.image is not None
                    whole.write(fr.image)
                    piece.write(fr.image)
                    done += 1
                    if progress is not None:
                        progress(done, total)
            finally:
                piece.release()
            length = script.n_frames / fps
            doc_steps.append({"step": n, "exercise": script.exercise, "side": side, "start_s": t0,
                              "end_s": t0 + length, "video": piece_path.name,
                              "holds": _shift([asdict(h) for h in script.holds], t0),
                              "reps": _shift([asdict(r) for r in script.reps], t0)})
            t0 += length
    finally:
        whole.release()
    gt = out / f"{ROUTINE_CLIP}.json"
    gt.write_text(json.dumps({"clip": ROUTINE_CLIP, "routine": "psoas-release", "fps": fps, "n_frames": total,
                              "duration_s": t0, "steps": doc_steps}, indent=1))
    return video, gt
