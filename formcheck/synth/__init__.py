"""Synthetic clips with exact ground truth: a posable 3D mannequin, a ray-casting renderer and
named clip scripts.

``render_clip(name, out_dir)`` writes ``<name>.mp4`` and ``<name>.json`` (format in
``docs/groundtruth.md``). ``CLIP_SCRIPTS`` holds every script; ``SAMPLE_SET`` the clips shipped in
``sample_videos/``; ``QUICK_SET`` a few short clips for fast benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from formcheck.synth.clip import iter_frames, render_clip_script
from formcheck.synth.clips import CLIP_SCRIPTS, QUICK_SET, SAMPLE_SET
from formcheck.synth.script import ClipScript

__all__ = ["CLIP_SCRIPTS", "QUICK_SET", "SAMPLE_SET", "ClipScript", "iter_frames", "render_clip"]


def render_clip(name: str, out_dir: str | Path, *,
                progress: Callable[[int, int], None] | None = None) -> tuple[Path, Path]:
    """Render the named clip script into ``out_dir``; returns (video path, ground-truth JSON path).

    ``progress(done, total)`` is called after every frame when given.
    """
    try:
        script = CLIP_SCRIPTS[name]
    except KeyError:
        raise KeyError(f"unknown clip {name!r}; known: {', '.join(sorted(CLIP_SCRIPTS))}") from None
    return render_clip_script(script, out_dir, progress=progress)
