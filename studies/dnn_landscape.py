"""`fractalsgd study dnn_landscape` from a checkout (studies/README.md has the results)."""

import argparse

from fractalsgd import studies

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=studies.get("dnn_landscape").DESCRIPTION)
    p.add_argument("--scale", default="quick", choices=studies.SCALES)
    p.add_argument("--out-dir", default=None, help="output folder (default data/dnn_landscape)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    a = p.parse_args()
    for path in studies.run("dnn_landscape", a.scale, a.out_dir, progress=not a.quiet):
        print(path)
