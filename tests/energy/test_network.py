"""LandscapeNetwork: validation, grid construction, NetCDF round trip."""

import numpy as np
import pytest

import fractalsgd as fs
from fractalsgd.energy import LandscapeNetwork, grid_minima, grid_transition_states
from fractalsgd.energy.network import RESULT_TYPE


def _small():
    return LandscapeNetwork(
        energy=[0.0, 1.0, 2.0],
        ts_energy=[3.0, 2.5],
        ts_pair=[[0, 1], [1, 2]],
        position=[[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]],
        ts_position=[[0.5, 0.0], [1.5, 0.0]],
    )


def test_round_trip_netcdf(tmp_path):
    rng = np.random.default_rng(2)
    z = rng.normal(size=(20, 30))
    net = LandscapeNetwork.from_grid(z, extent=(-1, 1, 0, 2))
    path = net.save(tmp_path / "net.nc")
    ds = fs.load(path)
    assert ds.attrs["result_type"] == RESULT_TYPE and ds.attrs["kind"] == "result"
    back = LandscapeNetwork.load(path)
    for name in (
        "energy",
        "ts_energy",
        "ts_pair",
        "basin_size",
        "position",
        "ts_position",
        "minima_index",
        "ts_index",
    ):
        np.testing.assert_array_equal(getattr(back, name), getattr(net, name), err_msg=name)
    assert back.grid_shape == (20, 30) and back.extent == (-1.0, 1.0, 0.0, 2.0)
    assert back.config["connectivity"] == 8
    # a network without positions survives too
    bare = LandscapeNetwork([0.0, 1.0], [1.5], [[0, 1]])
    back = LandscapeNetwork.load(bare.save(tmp_path / "bare.nc"))
    assert back.position is None and back.n_ts == 1


def test_from_grid_matches_grid_functions_and_positions():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(9, 14))
    net = LandscapeNetwork.from_grid(z, extent=(0.0, 13.0, 10.0, 18.0))
    m = grid_minima(z)
    ts = grid_transition_states(z)
    np.testing.assert_array_equal(net.minima_index, m.index)
    np.testing.assert_array_equal(net.basin_size, m.size)
    np.testing.assert_array_equal(net.ts_pair, ts.pair)
    iy, ix = np.unravel_index(net.minima_index, z.shape)
    # x spans 0..13 over 14 columns (step 1), y spans 10..18 over 9 rows (step 1)
    np.testing.assert_allclose(net.position, np.stack([ix, iy + 10.0], 1))
    assert net.global_minimum == int(np.argmin(net.energy))
    assert net.energy[net.global_minimum] == z.min()


def test_from_landscape_uses_grid_and_extent():
    from fractalsgd.landscapes import SpectralSurface

    s = SpectralSurface(size=33, hurst=0.7, seed=4)
    net = LandscapeNetwork.from_landscape(s)
    ref = LandscapeNetwork.from_grid(np.asarray(s.grid), extent=s.extent)
    np.testing.assert_array_equal(net.energy, ref.energy)
    np.testing.assert_array_equal(net.position, ref.position)
    assert net.config["landscape"]["name"] == "spectral"
    with pytest.raises(ValueError, match="no .grid"):
        from fractalsgd.landscapes import Cosine

        LandscapeNetwork.from_landscape(Cosine())


@pytest.mark.parametrize(
    "kw,msg",
    [
        (
            {"ts_pair": [[0, 1], [1, 5]]},
            "transition state 1 names minimum 5, but the network has 3",
        ),
        ({"ts_pair": [[0, 1], [-1, 2]]}, "transition state 1 names minimum -1"),
        ({"ts_pair": [[0, 1], [2, 2]]}, "joins minimum 2 to itself"),
        ({"ts_energy": [3.0, 1.5]}, "lies below minimum 2"),
        ({"energy": [0.0, np.nan, 1.0]}, "energy: non-finite value at minimum 1"),
        ({"energy": []}, "non-empty"),
        ({"ts_pair": [[0, 1]]}, "ts_pair: expected shape"),
        ({"position": [[0.0, 0.0]]}, "position: expected 3 rows"),
    ],
)
def test_bad_networks(kw, msg):
    base = dict(energy=[0.0, 1.0, 2.0], ts_energy=[3.0, 2.5], ts_pair=[[0, 1], [1, 2]])
    base.update(kw)
    with pytest.raises(ValueError, match=msg):
        LandscapeNetwork(**base)


def test_from_dataset_rejects_other_results():
    ds = _small().to_dataset()
    ds.attrs["result_type"] = "msd"
    with pytest.raises(ValueError, match="expected 'landscape_network'"):
        LandscapeNetwork.from_dataset(ds)
