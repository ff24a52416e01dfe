"""Clip script data types: what a synthetic clip shows and what its labels mean."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from formcheck.synth.camera import Camera
from formcheck.synth.pose import Timeline
from formcheck.synth.render import Scene
from formcheck.synth.shapes import Outfit


@dataclass(frozen=True)
class CameraSpec:
    """Camera placement relative to the person (metres, degrees).

    ``yaw_deg``: + swings the camera toward the person's front (0 = pure side view).
    ``target_f``, ``target_u``: look-at point in the sagittal body frame (forward, up).
    """

    yaw_deg: float = 0.0
    pitch_deg: float = 8.0
    distance: float = 2.7
    target_f: float = -0.1
    target_u: float = 0.6
    fov_deg: float = 58.0

    def camera(self, width: int, height: int, facing: int) -> Camera:
        """World camera for a frame size and facing direction (+1 faces image-right)."""
        return Camera(width=width, height=height, fov_deg=self.fov_deg, distance=self.distance,
                      yaw_deg=self.yaw_deg * facing, pitch_deg=self.pitch_deg,
                      target=(self.target_f * facing, self.target_u, 0.0))


@dataclass(frozen=True)
class Interval:
    """A time window (s) with the side it belongs to ("left", "right" or None)."""

    start_s: float
    end_s: float
    side: str | None = None


@dataclass(frozen=True)
class Rep:
    """One bridge rep: whole rep ``start_s``..``end_s``, top hold ``top_start_s``..``top_end_s``."""

    start_s: float
    end_s: float
    top_start_s: float
    top_end_s: float
    side: str | None = None


@dataclass(frozen=True)
class Imaging:
    """Camera imperfections: Gaussian sensor noise (8-bit grey levels) and hand-held jitter
    (random-walk image translation, pixels rms, and rotation, degrees rms)."""

    noise_sigma: float = 0.0
    jitter_px: float = 0.0
    jitter_deg: float = 0.0
    seed: int = 0


@dataclass(frozen=True)
class ClipScript:
    """Everything needed to render one clip and label it.

    ``side``: for the lunge, the kneeling (stretched) leg's anatomical side. ``holds``: intended
    holds (stretch held in position); ``reps``: bridge reps; ``baseline``: the neutral set-up
    window the pelvic-tilt labels are relative to. Faults are labelled only inside holds (lunge,
    supported bridge) or rep tops (bridge); see :mod:`formcheck.synth.labels`.
    """

    name: str
    exercise: str  # "kneeling-hip-flexor" | "bridge" | "supported-bridge"
    description: str
    timeline: Timeline
    facing: int = 1
    body_height: float = 1.75
    fps: float = 15.0
    width: int = 640
    height: int = 480
    camera: CameraSpec = CameraSpec()
    outfit: Outfit = Outfit()
    scene: Scene = Scene()
    imaging: Imaging = Imaging()
    side: str | None = None
    holds: tuple[Interval, ...] = ()
    reps: tuple[Rep, ...] = ()
    baseline: Interval | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def duration_s(self) -> float:
        """Clip length in seconds (the last keyframe's time)."""
        return self.timeline.duration

    @property
    def n_frames(self) -> int:
        """Number of frames: one every 1/fps s from t = 0 up to the duration."""
        return int(math.floor(self.duration_s * self.fps + 1e-9)) + 1
