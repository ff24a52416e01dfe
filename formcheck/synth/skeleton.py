"""Body dimensions of the synthetic mannequin, scaled from one body-height parameter.

All lengths are **metres**. Proportions follow the usual anthropometric fractions of
standing height (segment lengths as in Winter's tables); soft-tissue radii are for an
average adult and scale with height too. Nothing here depends on a pose.
"""

from __future__ import annotations

from dataclasses import dataclass

# Reference height the radii below were chosen for (metres).
_REF_HEIGHT = 1.75


@dataclass(frozen=True)
class BodyDims:
    """Segment lengths and radii of one body, metres.

    Build it with :func:`body_dims`. Sagittal offsets are given as (forward, up) pairs in the
    frame of the segment they belong to; lateral offsets are distances from the midline.
    """

    height: float
    thigh: float  # hip joint centre -> knee joint centre
    shank: float  # knee -> ankle
    ankle_height: float  # ankle joint centre above the sole
    heel_back: float  # heel behind the ankle (along the foot)
    toe_front: float  # toe tip in front of the ankle (along the foot)
    trunk: float  # hip-joint midpoint -> shoulder-joint midpoint
    neck: float  # shoulder midpoint -> head centre
    upper_arm: float  # shoulder -> elbow
    forearm: float  # elbow -> wrist
    hand: float  # wrist -> fingertips
    hip_half_width: float  # half the distance between the hip joint centres
    shoulder_half_width: float  # half the distance between the shoulder joint centres
    head_semi: tuple[float, float, float]  # head ellipsoid semi-axes (forward, up, lateral)
    # Radii of limbs at their proximal and distal ends.
    thigh_r: tuple[float, float]
    shank_r: tuple[float, float]
    upper_arm_r: tuple[float, float]
    forearm_r: tuple[float, float]
    # Trunk shape (metres, in the pelvis / thorax frames).
    sacrum: tuple[float, float]  # L5/S1 spine point in the pelvis frame (forward, up) from hip midpoint
    sacral_slope_deg: float  # spine tangent at S1, degrees forward of the pelvis "up" axis
    t12: tuple[float, float]  # T12 spine point in the thorax frame (forward, along trunk) from hips
    t12_back_deg: float  # spine tangent at T12, degrees backward of the trunk axis
    back_skin: float  # skin depth behind the spine line
    waist_depth: float  # front-to-back depth of the lumbar section
    waist_half_width: float
    glute_r: float
    glute_centre: tuple[float, float]  # in the pelvis frame (forward, up)

    @property
    def scale(self) -> float:
        """Height relative to the 1.75 m reference body (unitless)."""
        return self.height / _REF_HEIGHT


def body_dims(height: float = 1.75) -> BodyDims:
    """Body dimensions for a standing height in metres (typ. 1.5-2.0)."""
    if not 1.2 <= height <= 2.3:
        raise ValueError(f"body height {height} m is outside 1.2-2.3 m")
    s = height / _REF_HEIGHT
    return BodyDims(
        height=height,
        thigh=0.245 * height,
        shank=0.246 * height,
        ankle_height=0.039 * height,
        heel_back=0.030 * height,
        toe_front=0.122 * height,
        trunk=0.288 * height,
        neck=0.117 * height,
        upper_arm=0.186 * height,
        forearm=0.146 * height,
        hand=0.108 * height,
        hip_half_width=0.049 * height,
        shoulder_half_width=0.100 * height,
        head_semi=(0.100 * s, 0.118 * s, 0.080 * s),
        thigh_r=(0.088 * s, 0.056 * s),
        shank_r=(0.058 * s, 0.036 * s),
        upper_arm_r=(0.050 * s, 0.040 * s),
        forearm_r=(0.040 * s, 0.030 * s),
        sacrum=(-0.075 * s, 0.095 * s),
        sacral_slope_deg=28.0,
        t12=(-0.065 * s, 0.235 * s),
        t12_back_deg=14.0,
        back_skin=0.030 * s,
        waist_depth=0.200 * s,
        waist_half_width=0.140 * s,
        glute_r=0.085 * s,
        glute_centre=(-0.058 * s, -0.015 * s),
    )
