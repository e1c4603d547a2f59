"""Rerun studies at quick scale into a scratch folder and compare every NetCDF with the one
committed under data/<study>/ (same seeds -> same numbers within float tolerance).

    python studies/reproduce.py [NAME ...]      # default: every study
Exit status 1 when any file differs; each difference is printed.
"""

import argparse
import sys
import tempfile
from pathlib import Path

import fractalsgd as fs
from fractalsgd import studies
from fractalsgd.studies._common import reproduces

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="studies (default: all)")
    p.add_argument("--data", default="data", help="folder of the committed outputs")
    a = p.parse_args()
    bad = 0
    for name in a.names or list(studies.available()):
        with tempfile.TemporaryDirectory() as tmp:
            for path in studies.run(name, "quick", tmp, progress=False):
                if path.suffix != ".nc":
                    continue
                ref = Path(a.data) / name / path.name
                diffs = reproduces(ref, fs.load(path)) if ref.exists() else [f"{ref} missing"]
                bad += bool(diffs)
                print(f"{name}/{path.name}: " + ("reproduced" if not diffs else "; ".join(diffs)))
    sys.exit(1 if bad else 0)
