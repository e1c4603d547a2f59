"""Same as `fractalsgd study dnn_batch_lr` (same options); results in studies/README.md."""

import sys

from fractalsgd.cli import main

if __name__ == "__main__":
    sys.exit(main(["study", "dnn_batch_lr", *sys.argv[1:]]))
