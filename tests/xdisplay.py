"""A real X display for window tests: Xvfb started on a free display number, plus screenshots of a window."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np


def xvfb_missing_reason() -> str | None:
    """Why window tests cannot run here, or None when they can."""
    for tool, pkg in (("Xvfb", "xvfb"), ("xdotool", "xdotool")):
        if shutil.which(tool) is None:
            return f"{tool} not installed (apt-get install {pkg}; .ci/run installs it)"
    try:
        import mss  # noqa: F401
    except ImportError:
        return "the mss package is not installed (pip install -e '.[test]')"
    return None


@contextmanager
def xvfb(width: int = 1024, height: int = 768) -> Iterator[str]:
    """Start Xvfb on a free display; yields its name (e.g. ':91')."""
    for n in range(91, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            break
    else:
        raise RuntimeError("no free X display number")
    proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{n}").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Xvfb did not start")
            time.sleep(0.05)
        yield f":{n}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def find_window(display: str, name: str) -> str | None:
    """The X id of the first visible window whose title contains ``name``, or None."""
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name], capture_output=True, text=True,
                         env={**os.environ, "DISPLAY": display}, check=False).stdout.split()
    return out[0] if out else None


def window_geometry(display: str, window: str) -> tuple[int, int, int, int]:
    """(x, y, width, height) of an X window, in screen pixels."""
    out = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window], capture_output=True, text=True,
                         env={**os.environ, "DISPLAY": display}, check=True).stdout
    g = dict(line.split("=", 1) for line in out.split())
    return int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"])


def screenshot_window(display: str, window: str) -> np.ndarray:
    """The window's pixels as a BGR uint8 array, grabbed from the X server."""
    import mss

    x, y, w, h = window_geometry(display, window)
    with mss.MSS(display=display) if hasattr(mss, "MSS") else mss.mss(display=display) as grab:
        shot = np.array(grab.grab({"left": x, "top": y, "width": w, "height": h}))
    return shot[:, :, :3].copy()


def press_key(display: str, window: str, key: str) -> None:
    """Send one key press (xdotool key name, e.g. 'q' or 'space') to ``window``."""
    subprocess.run(["xdotool", "key", "--window", window, key], env={**os.environ, "DISPLAY": display}, check=True,
                   capture_output=True)
