import numpy as np

import fractalsgd as fs
from fractalsgd.analysis import (
    analyze_msd,
    ergodicity_breaking,
    msd_vs_contour,
    transverse_excursion,
)
from fractalsgd.plotting import draw, figures
from fractalsgd.processes import bm


def test_issue4_figures_draw(tmp_path):
    assert {"msd", "ergodicity", "msd_vs_contour", "transverse"} <= set(figures())
    ds = bm(6, 400, dim=2, seed=1)
    results = {
        "msd": analyze_msd(ds, window=100, n_boot=20),
        "ergodicity": ergodicity_breaking(ds, [1, 10, 100]),
        "msd_vs_contour": msd_vs_contour(ds, lags=[1, 10, 100]),
        "transverse": transverse_excursion(ds, n_fragments=50),
    }
    for kind, res in results.items():
        assert res.attrs["result_type"] == kind
        back = fs.load(fs.save(res, tmp_path / f"{kind}.nc"))
        png = draw(back, tmp_path / f"{kind}.png")
        assert png.stat().st_size > 5_000, kind
        assert np.isfinite(back[list(back.data_vars)[0]].values).any()
