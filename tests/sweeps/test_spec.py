import numpy as np
import pytest

from fractalsgd.sweeps import config_hash, load_sweep
from fractalsgd.sweeps.spec import canonical_json

WALKER = {
    "sweep": {"kind": "walker", "name": "w"},
    "base": {
        "n_walkers": 4,
        "n_steps": 20,
        "lr": 0.02,
        "noise": 0.01,
        "landscape": {"name": "weierstrass", "hurst": 0.5},
    },
}


def test_grid_expansion_cartesian_c_order_and_dotted_keys():
    sw = load_sweep({**WALKER, "grid": {"landscape.hurst": [0.3, 0.7], "seed": [0, 1, 2]}})
    assert sw.dims == ("landscape.hurst", "seed") and sw.shape == (2, 3)
    pts = sw.expand()
    assert [p.index for p in pts] == [(i, j) for i in range(2) for j in range(3)]
    assert [(p.config["landscape"]["hurst"], p.config["seed"]) for p in pts] == [
        (h, s) for h in (0.3, 0.7) for s in (0, 1, 2)
    ]
    # defaults of simulate and of the landscape class are filled in, base is untouched
    p = pts[0]
    assert p.config["momentum"] == 0.0 and p.config["noise_kind"] == "gaussian"
    assert p.config["landscape"]["gamma"] == 1.5 and p.config["landscape"]["name"] == "weierstrass"
    assert sw.base["landscape"]["hurst"] == 0.5
    assert len({p.hash for p in pts}) == 6
    assert all(p.filename == f"p-{p.hash}.nc" for p in pts)


def test_nested_toml_grid_equals_dotted_and_file_round_trip(tmp_path):
    text = """
[sweep]
kind = "walker"
[base]
n_walkers = 4
n_steps = 20
lr = 0.02
noise = 0.01
landscape = { name = "weierstrass", hurst = 0.5 }
[grid]
landscape.hurst = [0.3, 0.7]
"""
    f = tmp_path / "s.toml"
    f.write_text(text)
    a = load_sweep(f)
    b = load_sweep({**WALKER, "grid": {"landscape.hurst": [0.3, 0.7]}})
    assert a.name == "s" and a.dims == ("landscape.hurst",)
    assert [p.hash for p in a.expand()] == [p.hash for p in b.expand()]
    assert a.identity == b.identity


def test_list_times_grid_and_deep_merge():
    spec = {
        "sweep": {"kind": "process"},
        "base": {"n_walkers": 2, "n_steps": 8},
        "points": [{"model": "bm"}, {"model": "fbm", "H": 0.3}],
        "grid": {"seed": [5, 6, 7]},
    }
    sw = load_sweep(spec)
    assert sw.dims == ("point", "seed") and sw.shape == (2, 3)
    pts = sw.expand()
    assert [p.config["model"] for p in pts] == ["bm"] * 3 + ["fbm"] * 3
    assert pts[4].config == {
        "model": "fbm",
        "n_walkers": 2,
        "n_steps": 8,
        "H": 0.3,
        "dim": 1,
        "D": 1.0,
        "seed": 6,
    }
    # deep merge of nested tables: only the listed sub-key changes
    sw = load_sweep({**WALKER, "points": [{"landscape": {"hurst": 0.2}}, {"lr": 0.1}]})
    c0, c1 = (p.config for p in sw.expand())
    assert c0["landscape"]["hurst"] == 0.2 and c0["landscape"]["name"] == "weierstrass"
    assert c1["landscape"]["hurst"] == 0.5 and c1["lr"] == 0.1


def test_hash_is_stable_and_canonical():
    a = config_hash("walker", {"lr": 0.1, "seed": 1, "x": {"b": 2, "a": [1.0, 2]}})
    b = config_hash("walker", {"x": {"a": [1, 2.0], "b": 2.0}, "seed": 1.0, "lr": 0.1})
    assert a == b and len(a) == 16 and int(a, 16) >= 0
    assert config_hash("walker", {"lr": 0.1}) != config_hash("walker", {"lr": 0.10000001})
    assert config_hash("walker", {"lr": 0.1}) != config_hash("process", {"lr": 0.1})
    assert config_hash("walker", {"n": np.int64(3)}) == config_hash("walker", {"n": 3})
    # the known value pins the rule: changing it silently would orphan every sweep on disk
    assert canonical_json({"b": 1.0, "a": [2.5, True]}) == '{"a":[2.5,true],"b":1}'
    # writing a default explicitly or leaving it out gives the same file
    s1 = load_sweep({**WALKER, "grid": {"seed": [0]}})
    s2 = load_sweep({**WALKER, "base": {**WALKER["base"], "momentum": 0.0}, "grid": {"seed": [0]}})
    assert s1.expand()[0].hash == s2.expand()[0].hash
    # a missing seed of a process means seed 0 (sweeps are reproducible)
    p = load_sweep(
        {
            "sweep": {"kind": "process"},
            "base": {"model": "bm", "n_walkers": 1, "n_steps": 4},
            "grid": {"dim": [1]},
        }
    ).expand()[0]
    assert p.config["seed"] == 0


@pytest.mark.parametrize(
    "spec, msg",
    [
        ({**WALKER, "grid": {"lrr": [0.1]}}, "unknown configuration key 'lrr' for kind 'walker'"),
        (
            {**WALKER, "grid": {"landscape.hurts": [0.1]}},
            "unknown configuration key 'hurts' for landscape 'weierstrass'",
        ),
        ({**WALKER, "grid": {"landscape.name": ["nope"]}}, "unknown landscape 'nope'"),
        ({**WALKER, "grid": {"lr": []}}, "grid: 'lr' is empty"),
        ({**WALKER, "grid": {"lr": 0.1}}, "grid: 'lr' must be a list"),
        ({**WALKER, "grid": {"lr": [0.1, 0.1]}}, "repeats a value"),
        ({**WALKER}, "sweep has no points"),
        ({**WALKER, "grid": {}}, "sweep has no points"),
        ({**WALKER, "grdi": {"lr": [1]}}, "unknown table 'grdi'"),
        ({"base": {}, "grid": {"lr": [1]}}, "needs kind"),
        ({"sweep": {"kind": "nope"}, "grid": {"lr": [1]}}, "unknown point kind 'nope'"),
        ({"sweep": {"kind": "x:y"}, "grid": {"lr": [1]}}, "cannot import"),
        ({"sweep": {"kind": "process"}, "grid": {"seed": [1]}}, "needs model = one of"),
        (
            {
                "sweep": {"kind": "process"},
                "base": {"model": "bm", "n_walkers": 1, "n_steps": 2},
                "grid": {"H": [0.5]},
            },
            "unknown configuration key 'H' for process 'bm'",
        ),
        (
            {
                "sweep": {"kind": "process"},
                "base": {"model": "fbm", "n_walkers": 1},
                "grid": {"seed": [1]},
            },
            "needs configuration key 'n_steps'",
        ),
        ({**WALKER, "grid": {"lr": [0.1]}, "points": [{"lr": 0.2}]}, "also swept in grid"),
        (
            {**WALKER, "grid": {"lr": [0.1]}, "summary": {"sucess_loss": 1}},
            "unknown option 'sucess_loss'",
        ),
        ({**WALKER, "points": [{"lr": 0.2}, {"lr": 0.2}]}, "duplicate points"),
        ({**WALKER, "grid": {"lr": [float("nan")]}}, "non-finite"),
    ],
)
def test_bad_specs_one_line(spec, msg):
    with pytest.raises(ValueError) as err:
        load_sweep(spec).expand()
    text = str(err.value)
    assert msg in text and "\n" not in text


def test_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such sweep file"):
        load_sweep(tmp_path / "nope.toml")
    f = tmp_path / "bad.toml"
    f.write_text("[sweep\nkind=")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_sweep(f)


def test_error_names_the_point():
    spec = {**WALKER, "grid": {"landscape.name": ["weierstrass", "cone"]}}
    # hurst is valid for weierstrass but not for the cone: the message says which point
    with pytest.raises(ValueError, match=r"point landscape.name\[1\]: unknown .* 'hurst'"):
        load_sweep(spec).expand()


def test_examples_parse_and_whole_tables_can_be_swept():
    from pathlib import Path

    examples = sorted((Path(__file__).parents[2] / "examples" / "sweeps").glob("*.toml"))
    assert len(examples) >= 2
    for f in examples:
        sw = load_sweep(f)
        assert len(sw.expand()) == int(np.prod(sw.shape)) > 1
    # a grid over whole landscape tables: labels are their canonical JSON
    spec = {**WALKER, "grid": {"landscape": [{"name": "cone"}, {"name": "weierstrass"}]}}
    a, b = load_sweep(spec).expand()
    assert a.labels["landscape"] == '{"name":"cone"}' and a.config["landscape"]["slope"] == 0.5
    assert b.config["landscape"]["n_terms"] == 20  # the swept table gets its class defaults
