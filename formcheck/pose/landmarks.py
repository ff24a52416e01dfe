"""MediaPipe Pose landmark indices (33-point BlazePose topology) and small lookups.

All landmark arrays in formcheck are in **pixel** coordinates of the analysed frame:
x grows to the right, y grows downward. Shape conventions: one frame is ``(33, 2)``,
a clip is ``(N, 33, 2)``; a missing or unreliable landmark is ``NaN``.
"""

from __future__ import annotations

NOSE = 0
LEFT_EYE_INNER, LEFT_EYE, LEFT_EYE_OUTER = 1, 2, 3
RIGHT_EYE_INNER, RIGHT_EYE, RIGHT_EYE_OUTER = 4, 5, 6
LEFT_EAR, RIGHT_EAR = 7, 8
MOUTH_LEFT, MOUTH_RIGHT = 9, 10
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_ELBOW, RIGHT_ELBOW = 13, 14
LEFT_WRIST, RIGHT_WRIST = 15, 16
LEFT_PINKY, RIGHT_PINKY = 17, 18
LEFT_INDEX, RIGHT_INDEX = 19, 20
LEFT_THUMB, RIGHT_THUMB = 21, 22
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28
LEFT_HEEL, RIGHT_HEEL = 29, 30
LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX = 31, 32

NUM_LANDMARKS = 33

NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)

SIDES: tuple[str, str] = ("left", "right")

# Per-side joint indices, keyed by side name.
SHOULDER = {"left": LEFT_SHOULDER, "right": RIGHT_SHOULDER}
ELBOW = {"left": LEFT_ELBOW, "right": RIGHT_ELBOW}
WRIST = {"left": LEFT_WRIST, "right": RIGHT_WRIST}
HIP = {"left": LEFT_HIP, "right": RIGHT_HIP}
KNEE = {"left": LEFT_KNEE, "right": RIGHT_KNEE}
ANKLE = {"left": LEFT_ANKLE, "right": RIGHT_ANKLE}
HEEL = {"left": LEFT_HEEL, "right": RIGHT_HEEL}
FOOT_INDEX = {"left": LEFT_FOOT_INDEX, "right": RIGHT_FOOT_INDEX}
EAR = {"left": LEFT_EAR, "right": RIGHT_EAR}

# Bones drawn as the skeleton (pairs of landmark indices).
SKELETON: tuple[tuple[int, int], ...] = (
    (LEFT_SHOULDER, RIGHT_SHOULDER), (LEFT_HIP, RIGHT_HIP),
    (LEFT_SHOULDER, LEFT_HIP), (RIGHT_SHOULDER, RIGHT_HIP),
    (LEFT_SHOULDER, LEFT_ELBOW), (LEFT_ELBOW, LEFT_WRIST),
    (RIGHT_SHOULDER, RIGHT_ELBOW), (RIGHT_ELBOW, RIGHT_WRIST),
    (LEFT_HIP, LEFT_KNEE), (LEFT_KNEE, LEFT_ANKLE),
    (RIGHT_HIP, RIGHT_KNEE), (RIGHT_KNEE, RIGHT_ANKLE),
    (LEFT_ANKLE, LEFT_HEEL), (LEFT_HEEL, LEFT_FOOT_INDEX), (LEFT_ANKLE, LEFT_FOOT_INDEX),
    (RIGHT_ANKLE, RIGHT_HEEL), (RIGHT_HEEL, RIGHT_FOOT_INDEX), (RIGHT_ANKLE, RIGHT_FOOT_INDEX),
)


def other_side(side: str) -> str:
    """Return the opposite side name ("left" <-> "right")."""
    return "right" if side == "left" else "left"
