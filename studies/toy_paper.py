"""Same as `fractalsgd study toy_paper` (same options); results in studies/README.md."""

import sys

from fractalsgd.cli import main

if __name__ == "__main__":
    sys.exit(main(["study", "toy_paper", *sys.argv[1:]]))
