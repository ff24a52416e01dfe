"""Named clip scripts: good holds, each fault alone, faults mid-hold, reps, camera variations.

All times are seconds, distances metres, angles degrees (conventions in
:mod:`formcheck.synth.pose`). Scripts start in a plausible position (tall kneeling, or lying
on the back with knees bent) so the pose model has time to lock on, then move into the exercise.
"""

from __future__ import annotations

import zlib
from dataclasses import replace
from typing import TypedDict, Unpack

from formcheck.synth import postures as P
from formcheck.synth.pose import Keyframe, Motion, Pose, Timeline
from formcheck.synth.render import Scene
from formcheck.synth.script import CameraSpec, ClipScript, Imaging, Interval, Rep
from formcheck.synth.shapes import Outfit
from formcheck.synth.skeleton import body_dims

OUTFITS = {
    "blue": Outfit(),
    "red": Outfit(skin=(0.62, 0.44, 0.34), shirt=(0.72, 0.18, 0.16), trousers=(0.22, 0.24, 0.30),
                  shoes=(0.25, 0.25, 0.28), hair=(0.08, 0.06, 0.05)),
    "green": Outfit(skin=(0.93, 0.75, 0.64), shirt=(0.20, 0.52, 0.32), trousers=(0.30, 0.30, 0.34),
                    shoes=(0.85, 0.85, 0.85), hair=(0.55, 0.40, 0.20)),
}
SCENES = {
    "wood": Scene(),
    "grey": Scene(wall=(0.70, 0.74, 0.78), floor=(0.45, 0.45, 0.47), light=(-0.3, 0.85, 0.6)),
}

# Lunge hold values of a good stretch.
GOOD_TILT = 12.0  # posterior pelvic tilt reached in the stretch (deg, from the neutral set-up)
GOOD_BACK_THIGH = -16.0  # kneeling-leg thigh behind the vertical (deg) -> ~16 deg hip extension
SETUP_BACK_THIGH = -3.0


class _HalfKneelArgs(TypedDict, total=False):
    """Keyword arguments of :func:`formcheck.synth.postures.half_kneeling` that a lunge sets."""

    back_thigh: float
    front_knee: float
    trunk: float
    tilt: float
    arms: str
    root_f: float


class _LungePose(TypedDict, total=False):
    """Pose keywords of :func:`lunge` that a fault changes."""

    back_thigh: float
    front_knee: float
    trunk: float
    tilt: float


class _QuadPose(TypedDict, total=False):
    """Pose keywords of :func:`quad_stretch` that a fault changes."""

    held_thigh: float
    held_knee: float
    trunk: float
    tilt: float


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def lunge(name: str, side: str, *, facing: int = 1, hold_s: float = 34.0, tilt: float = GOOD_TILT,
          back_thigh: float = GOOD_BACK_THIGH, trunk: float = 0.0, front_knee: float = 90.0,
          arms: str = "knee", episodes: tuple[tuple[float, float, dict], ...] = (),
          leave: tuple[float, float] | None = None, height: float = 1.75, yaw: float = 0.0,
          imaging: Imaging = Imaging(), motion: Motion = Motion(sway_deg=0.6, breath_hz=0.25),
          outfit: str = "blue", scene: str = "wood", fps: float = 15.0, width: int = 640,
          height_px: int = 480, description: str = "", tags: tuple[str, ...] = (), twist: float = 0.0,
          exercise: str = "kneeling-hip-flexor") -> ClipScript:
    """Kneeling hip-flexor lunge, ``side`` = kneeling (stretched) leg.

    Timeline: tall kneeling (1.5 s) -> step into a neutral half-kneel (1.2 s) -> neutral set-up
    (2.0 s, the tilt baseline) -> move into the stretch (1.5 s) -> hold ``hold_s`` -> release
    (1.5 s) -> tall kneeling (1.2 s) -> 1 s. ``episodes``: (start, end, pose overrides) inside the
    hold, entered and left over 0.8 s. ``leave``: (start, end) inside the hold where the person
    goes back to tall kneeling (1.2 s moves) and then re-enters the stretch. ``twist`` (deg): the stretch
    turns the chest this far toward the front leg (``exercise`` "low-lunge-twist"; a twist-less lunge
    scored as that exercise has no true hold: it is a negative).
    """
    d = body_dims(height)
    turn = twist if side == "right" else -twist  # the front leg is the other one; + turns the chest left

    def hk(**kw: Unpack[_HalfKneelArgs]) -> Pose:
        args: _HalfKneelArgs = dict(back_thigh=back_thigh, front_knee=front_knee, trunk=trunk, tilt=tilt, arms=arms)
        args.update(kw)
        return P.half_kneeling(d, side, **args)

    tall = P.tall_kneeling(d)
    setup = hk(back_thigh=SETUP_BACK_THIGH, tilt=0.0, trunk=0.0, front_knee=90.0)
    stretch = hk().with_(twist=turn)
    t_setup, t_in = 2.7, 4.7
    h0 = t_in + 1.5
    h1 = h0 + hold_s
    keys = [Keyframe(0.0, tall), Keyframe(1.5, tall), Keyframe(t_setup, setup, 1.2), Keyframe(t_in, setup),
            Keyframe(h0, stretch, 1.5)]
    holds: list[Interval] = []
    for a_rel, b_rel, changes in episodes:
        a, b = h0 + a_rel, h0 + b_rel
        faulty = hk(**changes).with_(twist=turn)
        keys += [Keyframe(a, stretch, 0), Keyframe(a + 0.8, faulty, 0.8), Keyframe(b, faulty, 0),
                 Keyframe(b + 0.8, stretch, 0.8)]
    if leave is not None:
        a, b = h0 + leave[0], h0 + leave[1]
        keys += [Keyframe(a, stretch, 0), Keyframe(a + 1.2, setup, 1.2), Keyframe(a + 2.4, tall, 1.2),
                 Keyframe(b - 2.7, tall, 0), Keyframe(b - 1.5, setup, 1.2), Keyframe(b, stretch, 1.5)]
        holds += [Interval(h0, a, side), Interval(b, h1, side)]
    else:
        holds.append(Interval(h0, h1, side))
    keys += [Keyframe(h1, stretch, 0), Keyframe(h1 + 1.5, setup, 1.5), Keyframe(h1 + 2.7, tall, 1.2),
             Keyframe(h1 + 3.7, tall, 1.0)]
    keys.sort(key=lambda k: k.t)
    if exercise == "low-lunge-twist" and twist == 0:
        holds = []
    return ClipScript(
        name=name, exercise=exercise, description=description, facing=facing,
        timeline=Timeline(tuple(keys), replace(motion, seed=zlib.crc32(name.encode()) % 1000)),
        body_height=height, fps=fps, width=width, height=height_px,
        camera=CameraSpec(yaw_deg=yaw, distance=2.7 * max(height, 1.75) / 1.75, target_f=-0.1,
                          target_u=0.62 * height / 1.75),
        outfit=OUTFITS[outfit], scene=SCENES[scene], imaging=imaging, side=side, holds=tuple(holds),
        baseline=Interval(t_setup + 0.3, t_in, side), tags=tags)



def _floor_camera(height: float, yaw: float) -> CameraSpec:
    """Side camera low over the floor for lying exercises, pulled back for tall bodies (metres, degrees)."""
    return CameraSpec(yaw_deg=yaw, pitch_deg=6.0, distance=2.7 * max(height, 1.75) / 1.75,
                      target_f=-0.25 * height / 1.75, target_u=0.32)

def bridge(name: str, *, facing: int = 1, reps: int = 6, top_line: float = 178.0,
           sag: dict[int, float] | None = None, foot_f: float = 0.50, top_s: float = 2.0,
           tilt_top: float = 0.0, knees_apart_top: float = 0.0, after: tuple[str, ...] = (),
           height: float = 1.75, yaw: float = 0.0, imaging: Imaging = Imaging(),
           outfit: str = "blue", scene: str = "wood", fps: float = 15.0, width: int = 640,
           height_px: int = 480, description: str = "", tags: tuple[str, ...] = ()) -> ClipScript:
    """Glute bridge reps from lying on the back, knees bent, feet flat.

    Each rep: up 1.0 s, hold ``top_s`` at the top, down 1.0 s, rest 1.5 s. ``top_line``: true
    shoulder-hip-knee line angle at the top (deg, 180 straight); ``sag`` maps a rep index
    (0-based) to its own top line angle (e.g. a sagging rep at 150). ``knees_apart_top``: metres
    each knee drifts outward and back during every top hold (knees moving at the top, no new rep).
    ``after``: movements after the set that are no reps, in order: "shuffle" (feet slide away and
    back, hips down), "sit_up" (trunk rises to sitting, hips stay on the floor).
    """
    d = body_dims(height)
    sag = sag or {}
    flat = P.supine(d, foot_f=foot_f)
    keys = [Keyframe(0.0, flat), Keyframe(2.0, flat)]
    rep_list = []
    t = 2.0
    for i in range(reps):
        line = sag.get(i, top_line)
        hu = P.bridge_hip_u(d, line, foot_f=foot_f, tilt=tilt_top)
        top = P.supine(d, hip_u=hu, foot_f=foot_f, tilt=tilt_top)
        t_up, t_top_end, t_down, t_rest = t + 1.0, t + 1.0 + top_s, t + 2.0 + top_s, t + 3.5 + top_s
        keys.append(Keyframe(t_up, top, 1.0))
        if knees_apart_top > 0:
            apart = top.with_(knee_out_l=top.knee_out_l + knees_apart_top,
                              knee_out_r=top.knee_out_r + knees_apart_top)
            keys.append(Keyframe(t_up + 0.4 * top_s, apart, 0.4 * top_s))
        keys += [Keyframe(t_top_end, top, 0 if knees_apart_top <= 0 else 0.6 * top_s),
                 Keyframe(t_down, flat, 1.0), Keyframe(t_rest, flat, 0)]
        rep_list.append(Rep(t, t_down, t_up, t_top_end))
        t = t_rest
    for move in after:
        if move == "shuffle":
            far = P.supine(d, foot_f=foot_f + 0.18)
            keys += [Keyframe(t + 1.0, far, 1.0), Keyframe(t + 1.6, far, 0), Keyframe(t + 2.6, flat, 1.0)]
            t += 3.0
        elif move == "sit_up":
            sitting = flat.with_(trunk=-35.0, neck=25.0, uarm_l=20.0, uarm_r=20.0, farm_l=60.0, farm_r=60.0)
            keys += [Keyframe(t + 2.0, sitting, 2.0), Keyframe(t + 3.5, sitting, 0)]
            t += 3.5
        else:
            raise ValueError(f"unknown after-set movement {move!r}")
    keys.append(Keyframe(t + 0.5, keys[-1].pose, 0))
    return ClipScript(
        name=name, exercise="bridge", description=description, facing=facing,
        timeline=Timeline(tuple(keys), Motion(breath_hz=0.3, seed=zlib.crc32(name.encode()) % 1000)),
        body_height=height, fps=fps, width=width, height=height_px,
        camera=_floor_camera(height, yaw),
        outfit=OUTFITS[outfit], scene=SCENES[scene], imaging=imaging, reps=tuple(rep_list), tags=tags)


def supported_bridge(name: str, *, facing: int = 1, hold_s: float = 32.0, drop_at: float | None = None,
                     block_h: float = 0.15, height: float = 1.75, yaw: float = 0.0,
                     imaging: Imaging = Imaging(), outfit: str = "blue", scene: str = "wood",
                     fps: float = 15.0, width: int = 640, height_px: int = 480, description: str = "",
                     tags: tuple[str, ...] = ()) -> ClipScript:
    """Supported bridge: lie down, lift, slide a yoga block under the sacrum, rest on it.

    ``drop_at``: time (s, from the start of the hold) when the block slips toward the feet and
    the hips drop to the floor (1.2 s), staying down to the end.
    """
    d = body_dims(height)
    flat = P.supine(d)
    hu_full = P.bridge_hip_u(d, 178.0)
    hu_block = block_h + 0.10 * d.scale
    full = P.supine(d, hip_u=hu_full)
    resting = P.supine(d, hip_u=hu_block, block_h=block_h)
    block_aside = resting.block_f + 0.40 * d.scale
    flat_block = flat.with_(block_h=block_h, block_f=block_aside)
    full_block_aside = full.with_(block_h=block_h, block_f=block_aside)
    full_block_under = full.with_(block_h=block_h, block_f=resting.block_f)
    keys = [Keyframe(0.0, flat_block), Keyframe(2.0, flat_block), Keyframe(3.2, full_block_aside, 1.2),
            Keyframe(4.2, full_block_under, 1.0), Keyframe(5.5, resting, 1.3)]
    h0 = 6.0
    h1 = h0 + hold_s
    if drop_at is not None:
        ta = h0 + drop_at
        dropped = flat.with_(block_h=block_h, block_f=block_aside + 0.05)
        keys += [Keyframe(ta, resting, 0), Keyframe(ta + 1.2, dropped, 1.2), Keyframe(h1, dropped, 0)]
    else:
        keys.append(Keyframe(h1, resting, 0))
    return ClipScript(
        name=name, exercise="supported-bridge", description=description, facing=facing,
        timeline=Timeline(tuple(keys), Motion(breath_hz=0.2, seed=zlib.crc32(name.encode()) % 1000)),
        body_height=height, fps=fps, width=width, height=height_px,
        camera=_floor_camera(height, yaw),
        outfit=OUTFITS[outfit], scene=SCENES[scene], imaging=imaging, holds=(Interval(h0, h1),), tags=tags)


def _standing_camera(height: float, yaw: float) -> CameraSpec:
    """Side camera for standing exercises, portrait frame, whole body in view (metres, degrees)."""
    return CameraSpec(yaw_deg=yaw, pitch_deg=4.0, distance=2.0 * max(height, 1.75) / 1.75, target_f=0.0,
                      target_u=0.88 * height / 1.75)


def quad_stretch(name: str, side: str, *, facing: int = 1, hold_s: float = 12.0, held_thigh: float = 0.0,
                 held_knee: float = 35.0, trunk: float = 0.0, tilt: float = 0.0, wall_hand: bool = True,
                 episodes: tuple[tuple[float, float, dict], ...] = (), height: float = 1.75, yaw: float = 0.0,
                 outfit: str = "blue", scene: str = "wood", fps: float = 15.0, description: str = "",
                 tags: tuple[str, ...] = ()) -> ClipScript:
    """Standing quad stretch, ``side`` = the held (stretched) leg.

    Timeline: standing (1.5 s) -> foot up and held behind (1.5 s) -> hold ``hold_s`` -> foot down
    (1.2 s) -> standing 1 s. ``episodes``: (start, end, overrides of :func:`postures.standing_quad`)
    inside the hold, entered and left over 0.8 s. Portrait 480x640 frame.
    """
    d = body_dims(height)
    wall = P.standing_quad(d, side, held_thigh=0.0, held_knee=175.0, wall_hand=wall_hand)
    stand = wall.with_(**{f"shin_{side[0]}": 0.0, f"thigh_{side[0]}": 0.0, f"foot_{side[0]}": 0.0})

    def q(**kw: float) -> Pose:
        args: dict = dict(held_thigh=held_thigh, held_knee=held_knee, trunk=trunk, tilt=tilt, wall_hand=wall_hand)
        args.update(kw)
        return P.standing_quad(d, side, **args)

    stretch = q()
    h0 = 3.0
    h1 = h0 + hold_s
    keys = [Keyframe(0.0, stand), Keyframe(1.5, stand), Keyframe(h0, stretch, 1.5)]
    for a_rel, b_rel, changes in episodes:
        a, b = h0 + a_rel, h0 + b_rel
        faulty = q(**changes)
        keys += [Keyframe(a, stretch, 0), Keyframe(a + 0.8, faulty, 0.8), Keyframe(b, faulty, 0),
                 Keyframe(b + 0.8, stretch, 0.8)]
    keys += [Keyframe(h1, stretch, 0), Keyframe(h1 + 1.2, stand, 1.2), Keyframe(h1 + 2.2, stand, 0)]
    keys.sort(key=lambda k: k.t)
    return ClipScript(
        name=name, exercise="standing-quad-stretch", description=description, facing=facing,
        timeline=Timeline(tuple(keys), Motion(sway_deg=0.6, breath_hz=0.25, seed=zlib.crc32(name.encode()) % 1000)),
        body_height=height, fps=fps, width=480, height=640, camera=_standing_camera(height, yaw),
        outfit=OUTFITS[outfit], scene=SCENES[scene], side=side, holds=(Interval(h0, h1, side),), tags=tags)


def walking_lunges(name: str, *, facing: int = 1, steps: int = 4, height: float = 1.75, outfit: str = "blue",
                   fps: float = 15.0, description: str = "", tags: tuple[str, ...] = ()) -> ClipScript:
    """Lunges on alternate legs from standing (1.0 s down, 0.8 s at the bottom, 1.0 s up, 0.6 s
    standing): the back foot rises behind, but both knees bend, so this is no standing quad stretch."""
    d = body_dims(height)
    stand = P.standing(d)
    keys = [Keyframe(0.0, stand), Keyframe(1.5, stand)]
    t = 1.5
    for i in range(steps):
        side = "left" if i % 2 == 0 else "right"
        low = P.half_kneeling(d, side, back_thigh=-12.0, front_knee=92.0, arms="hang")
        low = low.with_(root_u=low.root_u + 0.05 * d.scale)  # back knee just off the floor
        keys += [Keyframe(t + 1.0, low, 1.0), Keyframe(t + 1.8, low, 0), Keyframe(t + 2.8, stand, 1.0),
                 Keyframe(t + 3.4, stand, 0)]
        t += 3.4
    return ClipScript(
        name=name, exercise="standing-quad-stretch", description=description, facing=facing,
        timeline=Timeline(tuple(keys), Motion(sway_deg=0.4, breath_hz=0.3, seed=zlib.crc32(name.encode()) % 1000)),
        body_height=height, fps=fps, width=480, height=640, camera=_standing_camera(height, 0.0),
        outfit=OUTFITS[outfit], tags=tags)


def kickback(name: str, sides: tuple[str, ...], *, facing: int = 1, kick_thigh: float = -95.0,
             kick_knee: float = 90.0, top_s: float = 1.2, height: float = 1.75, outfit: str = "blue",
             scene: str = "wood", fps: float = 15.0, description: str = "", tags: tuple[str, ...] = ()) -> ClipScript:
    """Glute kickbacks on all fours, one rep per entry of ``sides`` (the kicking leg of each rep).

    Each rep: kick up 0.8 s, hold ``top_s`` at the top, lower 0.8 s, rest 1.2 s. ``kick_thigh``: thigh
    angle at the top (deg from down, + forward; -90 = straight back, more negative = higher);
    ``kick_knee``: knee angle at the top (90 donkey kick, 178 straight leg).
    """
    d = body_dims(height)
    rest = P.quadruped(d, sides[0])
    keys = [Keyframe(0.0, rest), Keyframe(2.0, rest)]
    reps: list[Rep] = []
    t = 2.0
    for side in sides:
        rest = P.quadruped(d, side)
        top = P.quadruped(d, side, kick_thigh=kick_thigh, kick_knee=kick_knee)
        keys += [Keyframe(t, rest, 0), Keyframe(t + 0.8, top, 0.8), Keyframe(t + 0.8 + top_s, top, 0),
                 Keyframe(t + 1.6 + top_s, rest, 0.8), Keyframe(t + 2.8 + top_s, rest, 0)]
        reps.append(Rep(t, t + 1.6 + top_s, t + 0.8, t + 0.8 + top_s, side))
        t += 2.8 + top_s
    keys.append(Keyframe(t + 0.5, keys[-1].pose, 0))
    return ClipScript(
        name=name, exercise="glute-kickback", description=description, facing=facing,
        timeline=Timeline(tuple(keys), Motion(breath_hz=0.3, seed=zlib.crc32(name.encode()) % 1000)),
        body_height=height, fps=fps, camera=CameraSpec(pitch_deg=6.0, distance=2.5 * max(height, 1.75) / 1.75,
                                                       target_f=-0.1, target_u=0.40 * height / 1.75),
        outfit=OUTFITS[outfit], scene=SCENES[scene], reps=tuple(reps), tags=tags)


def prone_hold(name: str, *, facing: int = 1, hold_s: float = 12.0, hip_u: float = 0.18, elbow: float = 178.0,
               arm_lean: float = 0.0, knee_down: bool = False, finish: str = "", height: float = 1.75,
               outfit: str = "blue", scene: str = "wood", fps: float = 15.0, exercise: str = "upward-dog",
               description: str = "", tags: tuple[str, ...] = ()) -> ClipScript:
    """Upward dog from a plank: plank (2 s) -> lower the hips and lift the chest (1.5 s) -> hold ``hold_s``
    -> back to the plank (1.5 s) -> 1 s. ``finish`` "plank" or "down_dog": the whole clip is that pose
    instead (a negative: no upward-dog hold). Pose keywords: :func:`postures.prone_on_hands`."""
    d = body_dims(height)
    plank = P.prone_on_hands(d, hip_u=0.385)
    if finish:
        other = plank if finish == "plank" else P.downward_dog(d)
        keys = [Keyframe(0.0, plank), Keyframe(2.0, plank), Keyframe(3.5, other, 1.5), Keyframe(3.5 + hold_s, other, 0),
                Keyframe(5.0 + hold_s, plank, 1.5), Keyframe(6.0 + hold_s, plank, 0)]
        holds: tuple[Interval, ...] = ()
    else:
        dog = P.prone_on_hands(d, hip_u=hip_u, elbow=elbow, arm_lean=arm_lean, knee_down=knee_down)
        keys = [Keyframe(0.0, plank), Keyframe(2.0, plank), Keyframe(3.5, dog, 1.5), Keyframe(3.5 + hold_s, dog, 0),
                Keyframe(5.0 + hold_s, plank, 1.5), Keyframe(6.0 + hold_s, plank, 0)]
        holds = (Interval(3.5, 3.5 + hold_s),)
    return ClipScript(
        name=name, exercise=exercise, description=description, facing=facing,
        timeline=Timeline(tuple(keys), Motion(breath_hz=0.25, seed=zlib.crc32(name.encode()) % 1000)),
        body_height=height, fps=fps, camera=CameraSpec(pitch_deg=6.0, distance=2.7 * max(height, 1.75) / 1.75,
                                                       target_f=-0.35 * height / 1.75, target_u=0.40 * height / 1.75),
        outfit=OUTFITS[outfit], scene=SCENES[scene], holds=holds, tags=tags)


def _build() -> dict[str, ClipScript]:
    s: list[ClipScript] = []
    noisy = Imaging(noise_sigma=4.0, jitter_px=1.0, jitter_deg=0.15, seed=7)
    # --- kneeling hip-flexor lunge ------------------------------------------------------------------
    s.append(lunge("lunge_left_ppt", "left", facing=-1, description="Good hold, left knee down, "
                   "posterior tilt 12 deg, 34 s.", tags=("sample", "good")))
    s.append(lunge("lunge_right_ppt", "right", facing=1, outfit="red", description="Good hold, right "
                   "knee down, posterior tilt 12 deg, 34 s.", tags=("sample", "good")))
    s.append(lunge("lunge_left_no_tilt", "left", facing=1, tilt=0.0, outfit="green", scene="grey",
                   description="Left knee down, hips forward but no posterior tilt (fault no_pelvic_tilt "
                   "all hold).", tags=("sample", "fault")))
    s.append(lunge("lunge_right_no_tilt", "right", facing=-1, tilt=0.0, description="Right knee down, "
                   "hips forward but no posterior tilt.", tags=("sample", "fault")))
    fault_poses: dict[str, _LungePose] = {
        "trunk_forward": dict(trunk=22.0, back_thigh=-36.0),
        "back_arched": dict(trunk=-9.0, tilt=-8.0, back_thigh=-12.0),
        "hip_flexed": dict(back_thigh=8.0),
        "front_knee_forward": dict(front_knee=62.0),
        "front_knee_back": dict(front_knee=128.0),
    }
    for code, ch in fault_poses.items():
        s.append(lunge(f"lunge_fault_{code}", "left", facing=1, hold_s=12.0, **ch,
                       description=f"Whole hold with the fault {code} only.", tags=("fault",)))
    s.append(lunge("lunge_low_hip_extension", "right", facing=-1, hold_s=12.0, back_thigh=-6.0,
                   description="Good hold, tucked, with little hip extension (a tight hip: thigh 6 deg behind "
                   "the vertical): an outcome to measure, not a fault.", tags=("good",)))
    s.append(lunge("lunge_fault_midhold", "right", facing=1, hold_s=20.0,
                   episodes=((10.0, 15.0, dict(trunk=22.0, back_thigh=-36.0)),),
                   description="Good hold; trunk leans forward 10-15 s after the hold starts, then "
                   "corrected.", tags=("fault", "midhold")))
    s.append(lunge("lunge_leave_reenter", "left", facing=-1, hold_s=26.0, leave=(10.0, 16.0),
                   description="Good hold, leaves the position (back to tall kneeling) and re-enters.",
                   tags=("leave",)))
    s.append(lunge("lunge_hand_on_hip", "left", facing=1, hold_s=14.0, arms="hip",
                   description="Good hold with the kneeling-side hand on the hip (arm covers the back "
                   "outline).", tags=("occlusion", "arms:hip")))
    s.append(lunge("lunge_hand_on_hip_right", "right", facing=-1, hold_s=14.0, arms="hip", outfit="red",
                   description="Good hold, right knee down, facing left, the kneeling-side hand on the hip.",
                   tags=("occlusion", "arms:hip")))
    for side, facing, outfit in (("left", -1, "blue"), ("right", 1, "green")):
        s.append(lunge(f"lunge_arms_hang_{side}", side, facing=facing, hold_s=14.0, arms="hang", outfit=outfit,
                       description=f"Good hold, {side} knee down, tucked, arms hanging at the sides (the lower "
                       "back stays visible).", tags=("good", "arms:hang")))
    for side, facing, outfit in (("left", 1, "red"), ("right", -1, "blue")):
        s.append(lunge(f"lunge_arms_crossed_{side}", side, facing=facing, hold_s=14.0, arms="chest", outfit=outfit,
                       description=f"Good hold, {side} knee down, tucked, forearms crossed in front of the chest "
                       "(the lower back stays visible).", tags=("good", "arms:chest")))
    s.append(lunge("lunge_hands_knee_right", "right", facing=-1, hold_s=14.0, arms="knee", scene="grey",
                   description="Good hold, right knee down, facing left, both hands on the front knee.",
                   tags=("good", "arms:knee")))
    s.append(lunge("lunge_noisy", "right", facing=-1, hold_s=14.0, imaging=noisy, outfit="green",
                   motion=Motion(sway_deg=1.5, breath_hz=0.3), description="Good hold with sensor noise, "
                   "camera jitter and stronger sway.", tags=("noise",)))
    s.append(lunge("lunge_small_body", "left", facing=1, hold_s=12.0, height=1.60, outfit="red",
                   description="Good hold, 1.60 m body.", tags=("size",)))
    s.append(lunge("lunge_tall_body", "right", facing=-1, hold_s=12.0, height=1.90,
                   description="Good hold, 1.90 m body.", tags=("size",)))
    for yaw in (15.0, -25.0):
        s.append(lunge(f"lunge_yaw{yaw:+.0f}", "left", facing=1, hold_s=12.0, yaw=yaw, scene="grey",
                       description=f"Good hold, camera {yaw:+.0f} deg off the side view (+ toward the "
                       "front).", tags=("yaw",)))
    s.append(lunge("lunge_short", "left", facing=1, hold_s=6.0, description="Short good hold (CI).",
                   tags=("quick",)))
    # --- bridge -------------------------------------------------------------------------------------
    s.append(bridge("bridge_reps_sag", sag={3: 150.0}, description="Six reps with 2 s at the top; "
                    "rep 4 sags (line 150 deg).", tags=("sample",)))
    s.append(bridge("bridge_good_left", facing=-1, reps=4, outfit="red", description="Four good reps, "
                    "facing left.", tags=("good",)))
    s.append(bridge("bridge_overarched", reps=3, top_line=197.0, tilt_top=-8.0, description="Three reps "
                    "pushing the hips above the line.", tags=("fault",)))
    s.append(bridge("bridge_feet_far", reps=3, foot_f=0.74, description="Three reps, feet too far.",
                    tags=("fault",)))
    s.append(bridge("bridge_feet_close", reps=3, foot_f=0.26, description="Three reps, feet too close.",
                    tags=("fault",)))
    s.append(bridge("bridge_yaw20_noisy", reps=3, yaw=20.0, imaging=noisy, height=1.90, scene="grey",
                    description="Three good reps, camera 20 deg off side, noise and jitter, 1.90 m.",
                    tags=("yaw", "noise", "size")))
    s.append(bridge("bridge_short", reps=2, description="Two good reps (CI).", tags=("quick",)))
    s.append(bridge("bridge_shallow_middle", reps=3, sag={1: 152.0}, outfit="green", description="Three reps; "
                    "the middle one clearly leaves the floor but stops well short of the line (152 deg): a rep "
                    "with hips_low.", tags=("fault", "reps")))
    s.append(bridge("bridge_then_sit_up", facing=-1, reps=3, after=("shuffle", "sit_up"), description="Three "
                    "good reps, then the feet shuffle and the person sits up: no more reps.", tags=("good", "reps")))
    s.append(bridge("bridge_knees_apart_top", reps=3, knees_apart_top=0.10, scene="grey", description="Three "
                    "good reps; the knees drift apart and back at each top: still three reps.",
                    tags=("good", "reps")))
    # --- low lunge with spinal twist ------------------------------------------------------------------
    tw, tw_deg, tw_hold = "low-lunge-twist", 40.0, 12.0
    s.append(lunge("twist_good_left", "left", facing=1, exercise=tw, twist=tw_deg, hold_s=tw_hold,
                   description="Good twisted lunge, left knee down, chest turned 40 deg toward the front (right) leg.",
                   tags=("good",)))
    s.append(lunge("twist_good_right", "right", facing=-1, outfit="red", exercise=tw, twist=tw_deg, hold_s=tw_hold,
                   description="Good twisted lunge, right knee down, facing left.", tags=("good",)))
    s.append(lunge("twist_good_left_faceleft", "left", facing=-1, outfit="green", scene="grey", exercise=tw,
                   twist=tw_deg, hold_s=tw_hold, description="Good twisted lunge, left knee down, facing left.",
                   tags=("good",)))
    s.append(lunge("twist_good_right_yaw15", "right", facing=1, yaw=15.0, exercise=tw, twist=tw_deg, hold_s=tw_hold,
                   description="Good twisted lunge, right knee down, camera 15 deg off the side view.",
                   tags=("good", "yaw")))
    twist_faults: dict[str, _LungePose] = {
        "trunk_forward": dict(trunk=22.0, back_thigh=-36.0),
        "back_arched": dict(trunk=-14.0, back_thigh=-10.0),
        "hip_flexed": dict(back_thigh=8.0),
        "front_knee_forward": dict(front_knee=62.0),
        "front_knee_back": dict(front_knee=128.0),
    }
    for i, (code, lch) in enumerate(twist_faults.items()):
        side, facing = ("left", 1) if i % 2 == 0 else ("right", -1)
        s.append(lunge(f"twist_fault_{code}", side, facing=facing, exercise=tw, twist=tw_deg, hold_s=tw_hold, **lch,
                       description=f"Twisted lunge with the fault {code} only.", tags=("fault",)))
    s.append(lunge("twist_neg_no_twist", "left", facing=1, exercise=tw, twist=0.0, hold_s=tw_hold,
                   description="The kneeling stretch without a twist: no low-lunge-twist hold.", tags=("negative",)))
    # --- standing quad stretch ----------------------------------------------------------------------
    # The held leg is the one nearer the camera (facing image-right shows the right side): behind the
    # standing leg the far one is hidden and its landmarks are not trusted (visibility ~0.2-0.4).
    s.append(quad_stretch("quad_good_left", "left", facing=-1, description="Good hold, left foot held, "
                          "facing left, hand on a wall.", tags=("good",)))
    s.append(quad_stretch("quad_good_right", "right", facing=1, outfit="red", scene="grey",
                          description="Good hold, right foot held, facing right, hand on a wall.", tags=("good",)))
    s.append(quad_stretch("quad_good_right_nowall", "right", facing=1, wall_hand=False, outfit="green",
                          description="Good hold, right foot held, facing right, free arm hanging.", tags=("good",)))
    s.append(quad_stretch("quad_good_left_tall", "left", facing=-1, height=1.90, outfit="green", scene="grey",
                          description="Good hold, left foot held, facing left, 1.90 m body.", tags=("good",)))
    quad_faults: dict[str, _QuadPose] = {
        "knee_forward": dict(held_thigh=32.0),
        "heel_far": dict(held_knee=95.0),
        "trunk_forward": dict(trunk=24.0),
        "back_arched": dict(trunk=-18.0, tilt=-8.0, held_thigh=-22.0),
    }
    for i, (code, qch) in enumerate(quad_faults.items()):
        side, facing = ("left", -1) if i % 2 == 0 else ("right", 1)
        s.append(quad_stretch(f"quad_fault_{code}", side, facing=facing, **qch,
                              description=f"Whole hold with the fault {code} only.", tags=("fault",)))
    s.append(quad_stretch("quad_fault_midhold", "right", facing=1, hold_s=14.0,
                          episodes=((5.0, 9.0, dict(held_thigh=32.0)),),
                          description="Good hold; the knee drifts forward 5-9 s into it, then back.",
                          tags=("fault", "midhold")))
    s.append(walking_lunges("quad_neg_walking_lunges", description="Four lunges on alternate legs: the back "
                            "foot rises but both knees bend: no quad-stretch hold.", tags=("negative",)))
    # --- glute kickback -----------------------------------------------------------------------------
    s.append(kickback("kick_good_left", ("left",) * 4, facing=-1, description="Four donkey kicks with the left "
                      "leg (near the camera), thigh just above the trunk line.", tags=("good", "reps")))
    s.append(kickback("kick_good_right", ("right",) * 4, facing=1, outfit="red", scene="grey",
                      description="Four donkey kicks with the right leg, facing right.", tags=("good", "reps")))
    s.append(kickback("kick_good_straight_far", ("left",) * 3, facing=1, kick_knee=178.0, outfit="green",
                      description="Three straight-leg kickbacks with the far (left) leg, facing right.",
                      tags=("good", "reps")))
    s.append(kickback("kick_good_both_sides", ("left",) * 3 + ("right",) * 3, facing=-1, kick_knee=178.0,
                      description="Three straight-leg kickbacks on the left, then three on the right.",
                      tags=("good", "reps")))
    s.append(kickback("kick_fault_kick_low", ("right",) * 3, facing=1, kick_thigh=-58.0, description="Three "
                      "kicks that stop well below hip height.", tags=("fault", "reps")))
    s.append(kickback("kick_fault_back_arched", ("left",) * 3, facing=-1, kick_thigh=-138.0, description="Three "
                      "kicks far above the trunk line (arching the low back).", tags=("fault", "reps")))
    # --- upward dog ----------------------------------------------------------------------------------
    s.append(prone_hold("updog_good_right", facing=1, description="Good upward dog, facing right.", tags=("good",)))
    s.append(prone_hold("updog_good_left", facing=-1, outfit="red", scene="grey", description="Good upward dog, "
                        "facing left.", tags=("good",)))
    s.append(prone_hold("updog_good_deep_left", facing=-1, hip_u=0.15, outfit="green", description="Good, deep "
                        "upward dog (hips lower), facing left.", tags=("good",)))
    s.append(prone_hold("updog_fault_arms_bent", facing=1, hip_u=0.15, elbow=118.0, description="Arms bent "
                        "(a cobra on the hands) only.", tags=("fault",)))
    s.append(prone_hold("updog_fault_shoulders_forward", facing=-1, arm_lean=26.0, description="Shoulders far in "
                        "front of the wrists only.", tags=("fault",)))
    s.append(prone_hold("updog_fault_shoulders_back", facing=1, arm_lean=-26.0, description="Shoulders behind "
                        "the wrists only.", tags=("fault",)))
    s.append(prone_hold("updog_fault_hips_high", facing=-1, hip_u=0.30, description="Hips piked up toward a "
                        "plank only.", tags=("fault",)))
    s.append(prone_hold("updog_fault_knees_down", facing=1, hip_u=0.21, knee_down=True, description="Knees "
                        "resting on the floor only.", tags=("fault",)))
    s.append(prone_hold("updog_neg_plank", facing=1, finish="plank", description="A plank held on the hands: "
                        "no upward-dog hold.", tags=("negative",)))
    s.append(prone_hold("updog_neg_down_dog", facing=-1, finish="down_dog", description="From a plank into a "
                        "downward dog: no upward-dog hold.", tags=("negative",)))
    # --- supported bridge ---------------------------------------------------------------------------
    s.append(supported_bridge("supported_bridge_drop", hold_s=34.0, drop_at=28.0, description="Rests "
                              "on a block; the block slips and the hips drop 28 s into the hold.",
                              tags=("sample", "fault")))
    s.append(supported_bridge("supported_bridge_good", facing=-1, hold_s=20.0, outfit="green",
                              description="Still 20 s hold on the block, facing left.", tags=("good",)))
    s.append(supported_bridge("supported_bridge_short", hold_s=5.0, drop_at=3.0,
                              description="Short hold with a drop (CI).", tags=("quick",)))
    return {c.name: c for c in s}


CLIP_SCRIPTS: dict[str, ClipScript] = _build()
SAMPLE_SET: tuple[str, ...] = tuple(n for n, c in CLIP_SCRIPTS.items() if "sample" in c.tags)
QUICK_SET: tuple[str, ...] = tuple(n for n, c in CLIP_SCRIPTS.items() if "quick" in c.tags)
