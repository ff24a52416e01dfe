"""``python -m formcheck`` runs the command line."""

import sys

try:
    from formcheck.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line itself is still loading
    sys.stderr.write("formcheck: error: interrupted (Ctrl-C) — nothing was written\n")
    sys.exit(130)

main()
