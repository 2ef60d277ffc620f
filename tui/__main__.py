"""`python -m logsgd.tui`: the `logsgd-tui` command, as serve starts it for each browser."""

import sys

from logsgd.tui.cli import main

if __name__ == "__main__":
    sys.exit(main())
