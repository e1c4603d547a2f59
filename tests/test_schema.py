import json

import numpy as np
import pytest
import xarray as xr

import fractalsgd as fs
from fractalsgd.schema import STEP_DIM, config_of, provenance


def test_trajectory_from_2d_and_3d():
    x2 = np.arange(12.0).reshape(6, 2)
    ds = fs.trajectory(x2, source="walker", config={"lr": 0.02}, seed=3)
    assert dict(ds.sizes) == {"walker": 1, "time": 6, "coord": 2}
    np.testing.assert_array_equal(ds.position.values[0], x2)
    assert ds.step.dtype == np.int64 and list(ds.step.values) == list(range(6))
    assert ds.attrs["source"] == "walker" and ds.attrs["seed"] == 3
    assert config_of(ds) == {"lr": 0.02}
    x3 = np.zeros((4, 5, 3), dtype=np.float32)
    ds3 = fs.trajectory(x3, step=[0, 1, 10, 100, 1000], loss=np.ones((4, 5)))
    assert ds3.position.dtype == np.float32
    assert list(ds3.step.values) == [0, 1, 10, 100, 1000]
    assert ds3.loss.dims == ("walker", "time")


def test_provenance_attrs_complete():
    a = provenance("dnn", {"arr": np.arange(3), "x": np.float32(0.5)}, seed=[1, 2])
    for key in ("fractalsgd_version", "source", "created", "config", "seed", "schema_version"):
        assert key in a
    assert json.loads(a["config"]) == {"arr": [0, 1, 2], "x": 0.5}
    assert json.loads(a["seed"]) == [1, 2]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.drop_vars("position"), "no data variable 'position'"),
        (
            lambda d: d.assign(position=d.position.transpose("time", "walker", "coord")),
            "must have dims",
        ),
        (lambda d: d.assign_coords(step=("time", d.step.values[::-1].copy())), "increase"),
        (lambda d: d.assign_coords(step=("time", d.step.values.astype(float))), "int64"),
        (lambda d: d.drop_attrs(), "missing provenance"),
        (lambda d: d.assign_attrs(source="martian"), "source"),
        (lambda d: d.assign_attrs(config="{not json"), "JSON"),
    ],
)
def test_validate_names_the_problem(mutate, message):
    ds = fs.trajectory(np.zeros((2, 4, 3)))
    with pytest.raises(fs.SchemaError, match=message):
        fs.validate(mutate(ds))


def test_bad_shapes_rejected():
    with pytest.raises(fs.SchemaError, match="shape"):
        fs.trajectory(np.zeros(5))
    with pytest.raises(fs.SchemaError, match="step must have shape"):
        fs.trajectory(np.zeros((5, 2)), step=np.arange(4))
    with pytest.raises(fs.SchemaError, match="loss must have shape"):
        fs.trajectory(np.zeros((5, 2)), loss=np.zeros(3))


def test_per_step_series_and_result():
    ds = fs.trajectory(np.zeros((1, 3, 2)), step=[0, 5, 10])
    ds["step_length"] = (STEP_DIM, np.ones(10))
    ds = ds.assign_coords({STEP_DIM: np.arange(1, 11, dtype=np.int64)})
    fs.validate(ds)
    res = fs.result({"msd": (("lag",), np.arange(3.0))}, inputs=ds, config={"window": 3})
    fs.validate(res)
    assert res.attrs["kind"] == "result" and res.attrs["input_source"] == "external"
    assert isinstance(res, xr.Dataset)
