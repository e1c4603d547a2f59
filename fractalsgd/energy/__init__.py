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

from .disconnectivity import DisconnectivityTree, disconnectivity
from .grid import grid_minima, grid_transition_states
from .network import LandscapeNetwork
from .potentials import Cosine, DoubleWell, MuellerBrown

__all__ = [
    "grid_minima",
    "grid_transition_states",
    "LandscapeNetwork",
    "disconnectivity",
    "DisconnectivityTree",
    "DoubleWell",
    "Cosine",
    "MuellerBrown",
]
