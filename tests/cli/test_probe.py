"""``fractalsgd probe``: surfaces, lines, Hessian and paths from checkpoints; one-line errors."""

import json

import numpy as np
import pytest
import torch

import fractalsgd as fs
from fractalsgd.cli import main
from fractalsgd.dnn import probes
from fractalsgd.dnn.checkpoint import save_checkpoint
from fractalsgd.dnn.data import get_dataset
from fractalsgd.dnn.models import build_model

KW = dict(num_classes=10, in_channels=1, image_size=8)


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _ckpt(path, width=8, seed=0, steps=30):
    torch.manual_seed(seed)
    m = build_model("fc", depth=2, width=width, **KW)
    tr = get_dataset("digits", True, image_size=8, channels=1)
    x, y = tr.batch(torch.arange(256), augment=False)
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(m(x), y).backward()
        opt.step()
    save_checkpoint(path, m, "fc", dict(depth=2, width=width, **KW),
                    config=json.dumps({"dataset": "digits"}))  # fmt: skip
    return m


def _subset(n, seed=0):
    tr = get_dataset("digits", True, image_size=8, channels=1)
    idx = torch.randperm(len(tr), generator=torch.Generator().manual_seed(seed))[:n]
    return tr.batch(idx, augment=False)


def _err(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_probe_surface_lines_hessian_paths(tmp_path, capsys):
    ck = tmp_path / "a.pt"
    m = _ckpt(ck)
    x, y = _subset(200)
    with torch.no_grad():
        ref = torch.nn.functional.cross_entropy(m(x), y).item()
    out = tmp_path / "s.nc"
    assert main(["probe", str(ck), "--surface", "--n", "5", "--samples", "200",
                 "--out", str(out)]) == 0  # fmt: skip
    ds = fs.load(out)
    assert ds.attrs["result_type"] == "loss_surface" and ds["loss"].shape == (5, 5)
    # the centre is the checkpoint's own loss on the same fixed subset
    assert float(ds["loss"].sel(x=0.0, y=0.0)) == pytest.approx(ref, rel=1e-6)
    assert ds.attrs["dataset"] == "digits" and ds.attrs["model_name"] == "fc"
    png = tmp_path / "s.png"
    assert main(["plot", str(out), "--out", str(png)]) == 0 and png.stat().st_size > 5000

    out = tmp_path / "l.nc"
    assert main(["probe", str(ck), "--lines", "--spans", "0.01,0.1", "--n", "7",
                 "--samples", "100", "--out", str(out)]) == 0  # fmt: skip
    ds = fs.load(out)
    np.testing.assert_allclose(ds["span"].values, [0.01, 0.1])

    out = tmp_path / "h.nc"
    assert main(["probe", str(ck), "--hessian", "--k", "3", "--samples", "100",
                 "--batch-size", "40", "--trace", "5", "--out", str(out)]) == 0  # fmt: skip
    ds = fs.load(out)
    xs, ys = _subset(100)
    direct = probes.hessian_eigs(m, (xs, ys), k=3)["eigenvalues"].values
    # the same operator batched 40/40/20 vs one batch: float32 HVP rounding ~1e-6
    np.testing.assert_allclose(ds["eigenvalues"].values, direct, rtol=1e-4)
    assert np.isfinite(ds.attrs["trace"]) and ds.attrs["trace_stderr"] > 0

    ck2 = tmp_path / "b.pt"
    _ckpt(ck2, seed=1)
    out = tmp_path / "i.nc"
    assert main(["probe", str(ck), "--interpolate", str(ck2), "--n", "5", "--samples", "100",
                 "--out", str(out)]) == 0  # fmt: skip
    ds = fs.load(out)
    assert ds.attrs["result_type"] == "loss_path" and ds["loss"].size == 5
    out = tmp_path / "n.nc"
    assert main(["probe", str(ck), "--neb", str(ck2), "--images", "4", "--steps", "3",
                 "--samples", "50", "--out", str(out)]) == 0  # fmt: skip
    assert fs.load(out).attrs["method"] == "neb"


def test_probe_bad_input_one_line(tmp_path, capsys):
    ck = tmp_path / "a.pt"
    _ckpt(ck, steps=1)
    o = str(tmp_path / "o.nc")
    err = _err(capsys, ["probe", str(ck), "--line", "--span", "0", "--out", o])
    assert "span must be a positive finite number, got 0.0" in err
    err = _err(capsys, ["probe", str(ck), "--line", "--samples", "0", "--out", o])
    assert "data subset is empty" in err
    err = _err(capsys, ["probe", str(ck), "--hessian", "--k", "100000", "--samples", "10",
                        "--out", o])  # fmt: skip
    assert "k=100000 is too large: the model has 682 parameters" in err
    other = tmp_path / "w.pt"
    _ckpt(other, width=9, steps=1)
    err = _err(capsys, ["probe", str(ck), "--interpolate", str(other), "--samples", "10",
                        "--out", o])  # fmt: skip
    assert "theta_b does not match the model" in err and "has shape" in err
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    err = _err(capsys, ["probe", str(junk), "--surface", "--out", o])
    assert "not a loadable fractalsgd checkpoint" in err
    err = _err(capsys, ["probe", str(ck), "--surface", "--out", o, "--dataset", "nope"])
    assert "unknown dataset" in err
    assert not (tmp_path / "o.nc").exists()
