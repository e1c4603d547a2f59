"""Same as `fractalsgd study quickstart` (same options); results in studies/README.md."""

import sys

from fractalsgd.cli import main

if __name__ == "__main__":
    sys.exit(main(["study", "quickstart", *sys.argv[1:]]))
