"""Null-model processes with known exponents: the tests' ground truth and the baselines.

Every generator is batched over walkers, reproducible by ``seed`` and returns a
trajectory Dataset (``source="process"``) sampled at steps 0..n_steps:

* :func:`bm` - Brownian motion, MSD = 2 D d t;
* :func:`fbm` - fractional Brownian motion (exact, Davies-Harte), MSD = 2 D d t^(2H);
* :func:`ctrw` - subdiffusive CTRW (Pareto waiting times), EA MSD ~ t^alpha, TAMSD ~ lag;
* :func:`levy_walk` - Levy walk, MSD ~ t^2, t^(3-gamma) or t;
* :func:`sbm` - scaled Brownian motion, EA MSD = 2 K d t^alpha;
* :func:`ou` - Ornstein-Uhlenbeck (exact), MSD saturates at 2 d D / theta.
"""

from .bm import bm, ou, sbm
from .fbm import fbm, fgn_autocovariance
from .renewal import ctrw, levy_walk

__all__ = ["bm", "fbm", "fgn_autocovariance", "ctrw", "levy_walk", "sbm", "ou"]
