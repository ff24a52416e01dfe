"""Render a report.html to a PNG in headless Chromium: the picture of a report in the README.

    formcheck score sample_videos/supported_bridge_drop.mp4 -e supported-bridge --out out/sbd
    python scripts/report_screenshot.py out/sbd/report.html docs/report.png --width 420 --height 1420

The window is ``width`` x ``height`` CSS pixels (420 wide = a phone); the PNG is what is visible in it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.report.browser import screenshot


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("report", type=Path, help="report.html written by formcheck score")
    ap.add_argument("png", type=Path, help="PNG file to write")
    ap.add_argument("--width", type=int, default=420, help="window width in CSS pixels [420]")
    ap.add_argument("--height", type=int, default=1420, help="window height in CSS pixels [1420]")
    args = ap.parse_args()
    if not args.report.is_file():
        print(f"report_screenshot: error: {args.report}: no such file — run formcheck score first", file=sys.stderr)
        return 2
    try:
        out = screenshot(args.report, args.png, args.width, args.height)
    except FormcheckError as e:
        print(f"report_screenshot: error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
