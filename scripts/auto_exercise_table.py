"""Measure ``--exercise auto`` on labelled clips and print the confusion table the README shows.

    python scripts/auto_exercise_table.py            # bundled samples + the shared real clips

Each clip's expected answer is the bundled exercise it shows, or "refuse" (no bundled exercise: exit 3).
The real clips are read from ../shared/data/real/videos beside the checkout (skipped when absent).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from formcheck.errors import NoUsableFramesError
from formcheck.run.auto_exercise import pick_exercise

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "data" / "real" / "videos"
SAMPLES = {"lunge_left_ppt": "kneeling-hip-flexor", "lunge_right_ppt": "kneeling-hip-flexor",
           "lunge_left_no_tilt": "kneeling-hip-flexor", "lunge_right_no_tilt": "kneeling-hip-flexor",
           "bridge_reps_sag": "bridge", "supported_bridge_drop": "supported-bridge"}
REAL_CLIPS = {**{f"bridge/{p.name}": "bridge" for p in sorted((REAL / "bridge").glob("*.mp4"))},
              "lunge/half_kneeling_hip_flexor_oblique_then_side.mp4": "kneeling-hip-flexor",
              "lunge/kneeling_hip_flexor_stretch_portrait.mp4": "kneeling-hip-flexor",
              "other/plank_hold_timer_side_kaiakol005.mp4": "refuse"}


def answer(video: Path) -> tuple[str, str]:
    """(chosen exercise or "refuse", the words said)."""
    try:
        pick = pick_exercise(video, progress=False)
    except NoUsableFramesError as e:
        return "refuse", str(e).split(": ", 1)[1]
    assert pick.exercise is not None
    return pick.exercise, pick.words()


def main() -> int:
    clips = [(REAL / rel, want) for rel, want in REAL_CLIPS.items() if (REAL / rel).is_file()]
    clips += [(REPO / "sample_videos" / f"{n}.mp4", want) for n, want in SAMPLES.items()]
    pairs: Counter[tuple[str, str]] = Counter()
    print("| clip | expected | chosen | said |\n|---|---|---|---|")
    for video, want in clips:
        got, words = answer(video)
        pairs[(want, got)] += 1
        print(f"| {video.parent.name}/{video.name} | {want} | {got}{'' if got == want else ' **wrong**'} | {words} |",
              flush=True)
    labels = sorted({w for w, _ in pairs} | {g for _, g in pairs})
    print("\n| expected \\ chosen | " + " | ".join(labels) + " |\n|---" * (len(labels) + 1) + "|")
    for w in sorted({w for w, _ in pairs}):
        print(f"| {w} | " + " | ".join(str(pairs[(w, g)] or "") for g in labels) + " |")
    right = sum(n for (w, g), n in pairs.items() if w == g)
    print(f"\n{right} of {sum(pairs.values())} right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
