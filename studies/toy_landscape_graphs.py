"""`fractalsgd study toy_landscape_graphs` from a checkout (studies/README.md has the results)."""

import argparse

from fractalsgd import studies

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=studies.get("toy_landscape_graphs").DESCRIPTION)
    p.add_argument("--scale", default="quick", choices=studies.SCALES)
    p.add_argument(
        "--out-dir", default=None, help="output folder (default data/toy_landscape_graphs)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    a = p.parse_args()
    for path in studies.run("toy_landscape_graphs", a.scale, a.out_dir, progress=not a.quiet):
        print(path)
