"""Energy-landscape toolkit: minima, transition states, disconnectivity graphs.

* :mod:`.grid` - exact minima, steepest-descent basins and lowest saddles of 1-D/2-D grids;
* :mod:`.continuous` - quench (L-BFGS / FIRE), basin hopping, NEB (climbing image),
  exploring the minima visited by walker trajectories;
* :class:`LandscapeNetwork` - minima + transition states, NetCDF round trip;
* :func:`disconnectivity` - merge tree, minimax barriers, the disconnectivity graph;
* :mod:`.measures` - summary measures for comparing landscapes;
* :mod:`.potentials` - analytic test potentials (double well, cosine, Mueller-Brown).

Plain numpy in and out; never imports torch.
"""

from .continuous import (
    BasinHoppingResult,
    Connection,
    QuenchResult,
    TransitionState,
    basin_hopping,
    connect,
    explore,
    hessian,
    quench,
)
from .disconnectivity import DisconnectivityTree, disconnectivity
from .grid import grid_minima, grid_transition_states
from .measures import (
    FirstPassage,
    barrier_distribution,
    first_passage,
    funnel_fraction,
    grid_basin_lookup,
    merge_energy_to,
    minima_per_band,
    quench_basin_lookup,
)
from .network import LandscapeNetwork
from .potentials import Cosine, DoubleWell, MuellerBrown

__all__ = [
    "grid_minima",
    "grid_transition_states",
    "LandscapeNetwork",
    "disconnectivity",
    "DisconnectivityTree",
    "quench",
    "QuenchResult",
    "basin_hopping",
    "BasinHoppingResult",
    "connect",
    "Connection",
    "TransitionState",
    "hessian",
    "explore",
    "minima_per_band",
    "barrier_distribution",
    "merge_energy_to",
    "funnel_fraction",
    "first_passage",
    "FirstPassage",
    "grid_basin_lookup",
    "quench_basin_lookup",
    "DoubleWell",
    "Cosine",
    "MuellerBrown",
]
