"""A rendered recording of a whole routine: the bundled ``psoas-release`` routine shortened (9 s holds,
2 bridge reps, a 10 s supported bridge) so a test can render it.

The steps are the single-exercise clip scripts played one after another on one continuous timeline,
filmed by one camera that stays put, each step with its own lead-in and way out (tall kneeling ->
set-up -> stretch -> tall kneeling; lying -> reps; lying -> block -> hold). Between the two kneeling
sides the person stays tall kneeling and changes legs; before the bridges the person lies down from
tall kneeling (3 s) and rests lying (5 s). Ground truth per step: its part of the recording, its holds and reps, in the
recording's seconds. Each step's part is also written as its own video, to score it alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import cv2

from formcheck.synth.clip import iter_frames
from formcheck.synth.clips import bridge, lunge, supported_bridge
from formcheck.synth.pose import Keyframe, Timeline
from formcheck.synth.script import CameraSpec, ClipScript

ROUTINE_CLIP = "routine_psoas_release"
ROUTINE_FPS = 10.0
LIE_DOWN_S = 3.0  # from tall kneeling to lying on the back, between the kneeling and the lying steps
REST_LYING_S = 5.0  # then a rest lying down (the routine's rest between the steps is 20 s)
# One camera for the whole routine, between the kneeling clips' (hip height) and the lying clips' (low
# over the floor): the phone stays where it was put.
ROUTINE_CAMERA = CameraSpec(pitch_deg=7.0, distance=2.7, target_f=-0.2, target_u=0.45)


def routine_steps(fps: float = ROUTINE_FPS) -> list[tuple[str, ClipScript]]:
    """(step side, clip script) of each step of the shortened psoas-release routine, in order."""
    return [
        ("left", lunge("routine_step1_lunge_left", "left", facing=1, hold_s=9.0, fps=fps,
                       description="Kneeling stretch, left knee down, 9 s hold.")),
        ("right", lunge("routine_step2_lunge_right", "right", facing=1, hold_s=9.0, fps=fps,
                        description="Kneeling stretch, right knee down, 9 s hold.")),
        ("both", bridge("routine_step3_bridge", reps=2, fps=fps, description="Two glute-bridge reps.")),
        ("both", supported_bridge("routine_step4_supported_bridge", hold_s=10.0, fps=fps,
                                  description="Supported bridge on a block, 10 s hold.")),
    ]


def routine_script(fps: float = ROUTINE_FPS) -> tuple[ClipScript, list[float], list[float]]:
    """The whole routine as one clip script (one camera, one continuous timeline), each step's start
    time and the time its own clip script's t = 0 is placed at (s; later by :data:`LIE_DOWN_S` and
    :data:`REST_LYING_S` for the first lying step: the person lies down from tall kneeling and rests first)."""
    steps = routine_steps(fps)
    keys: list[Keyframe] = []
    starts: list[float] = []
    shifts: list[float] = []
    t0 = 0.0
    for n, (_, script) in enumerate(steps):
        shift = t0
        first = script.timeline.keyframes[0]
        if n > 0 and script.exercise != "kneeling-hip-flexor" and steps[n - 1][1].exercise == "kneeling-hip-flexor":
            shift = t0 + LIE_DOWN_S + REST_LYING_S  # lie down, rest, then the step's own script
            keys.append(Keyframe(t0 + LIE_DOWN_S, first.pose, LIE_DOWN_S))
        starts.append(t0)
        shifts.append(shift)
        keys.append(Keyframe(shift + first.t, first.pose, 0.0))
        keys += [Keyframe(k.t + shift, k.pose, k.move) for k in script.timeline.keyframes[1:]]
        t0 = shift + script.n_frames / fps
        keys.append(Keyframe(t0, keys[-1].pose, 0.0))
    lying = steps[-1][1]
    whole = replace(steps[0][1], name=ROUTINE_CLIP, description="The psoas-release routine, shortened.",
                    timeline=Timeline(tuple(keys), steps[0][1].timeline.motion), camera=ROUTINE_CAMERA,
                    holds=(), reps=(), baseline=None, side=None, tags=())
    assert lying.fps == whole.fps
    return whole, starts, shifts


def _shift(items: list[dict], dt: float) -> list[dict]:
    return [{k: (v + dt if k.endswith("_s") else v) for k, v in item.items()} for item in items]


def render_routine_clip(out_dir: str | Path, *, fps: float = ROUTINE_FPS,
                        progress: Callable[[int, int], None] | None = None) -> tuple[Path, Path]:
    """Write ``routine_psoas_release.mp4``, one ``..._stepN.mp4`` per step (the same frames, cut at the
    step starts) and ``routine_psoas_release.json`` (per step: exercise, side, start_s/end_s of its part,
    its holds and reps, all in the recording's seconds) into ``out_dir``; returns (video, ground truth)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    steps = routine_steps(fps)
    whole, starts, shifts = routine_script(fps)
    ends = [*starts[1:], whole.n_frames / fps]
    size = (whole.width, whole.height)
    fourcc = cv2.VideoWriter_fourcc(*"mp4v")  # type: ignore[attr-defined]
    video = out / f"{ROUTINE_CLIP}.mp4"
    pieces = [out / f"{ROUTINE_CLIP}_step{n}.mp4" for n in range(1, len(steps) + 1)]
    writers = [cv2.VideoWriter(str(video), fourcc, fps, size)] + [cv2.VideoWriter(str(p), fourcc, fps, size)
                                                                    for p in pieces]
    try:
        for fr in iter_frames(whole):
            assert fr.image is not None
            n = max(i for i, t in enumerate(starts) if fr.t >= t - 1e-9)
            writers[0].write(fr.image)
            writers[1 + n].write(fr.image)
            if progress is not None:
                progress(fr.index + 1, whole.n_frames)
    finally:
        for w in writers:
            w.release()
    doc_steps = [{"step": n, "exercise": script.exercise, "side": side, "start_s": starts[n - 1],
                  "end_s": ends[n - 1], "video": pieces[n - 1].name,
                  "holds": _shift([asdict(h) for h in script.holds], shifts[n - 1]),
                  "reps": _shift([asdict(r) for r in script.reps], shifts[n - 1])}
                 for n, (side, script) in enumerate(steps, 1)]
    gt = out / f"{ROUTINE_CLIP}.json"
    gt.write_text(json.dumps({"clip": ROUTINE_CLIP, "routine": "psoas-release", "fps": fps,
                              "n_frames": whole.n_frames, "duration_s": whole.n_frames / fps, "steps": doc_steps},
                             indent=1))
    return video, gt
