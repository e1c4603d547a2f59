"""Same as `fractalsgd study dnn_tails` (same options); results in studies/README.md."""

import sys

from fractalsgd.cli import main

if __name__ == "__main__":
    sys.exit(main(["study", "dnn_tails", *sys.argv[1:]]))
