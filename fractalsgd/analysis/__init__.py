"""The physics toolkit: one set of analyses for walker, DNN, process and external trajectories.

Every function accepts a schema Dataset or plain numpy ((time, coord) or
(walker, time, coord)) and returns xarray objects with named dims and provenance
attributes, or small result objects with estimates and confidence intervals.
Never imports torch.
"""

# heavy tails, intermittency, roughness (issue 5)
from .bursts import avalanches, loss_bursts, moving_variance  # noqa: E402, F401
from .ergodicity import (  # noqa: E402, F401 (issue 4)
    eb_brownian,
    ergodicity_breaking,
    non_gaussian_parameter,
    velocity_autocorrelation,
)
from .exponents import fit_crossover, fit_power_law, local_exponent  # noqa: E402, F401 (issue 4)
from .geometry import contour_length, msd_vs_contour, transverse_excursion  # noqa: E402, F401
from .jumps import displacements, jump_lengths, step_lengths  # noqa: E402, F401
from .msd import aging_msd, analyze_msd, eamsd, read_tamsd_csv, tamsd  # noqa: E402, F401
from .powerlaw import PowerLawFit, TailComparison, compare_tails, fit_powerlaw  # noqa: E402, F401
from .roughness import (  # noqa: E402, F401
    fractal_dimension,
    hurst,
    loss_spectrum,
    msl_vs_distance,
    surface_dimension,
)
from .stable import StableFit, fit_stable, stable_rvs  # noqa: E402, F401
from .tails import Estimate, tail_index, tail_index_over_time  # noqa: E402, F401
