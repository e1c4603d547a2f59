import pickle

import numpy as np
import pytest
import torch

from fractalsgd.dnn import build_model, load_checkpoint, save_checkpoint


def test_roundtrip_restores_weights_and_state(tmp_path):
    torch.manual_seed(0)
    m = build_model("resnet14_nobn", in_channels=1, num_classes=4)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    m(torch.randn(2, 1, 8, 8)).sum().backward()
    opt.step()
    p = save_checkpoint(tmp_path / "c.pt", m, "resnet14_nobn", {"in_channels": 1,
                        "num_classes": 4}, step=7, optimizer=opt.state_dict(),
                        arr=np.arange(3.0), rng=torch.get_rng_state())  # fmt: skip
    m2, meta = load_checkpoint(p, expect_model="resnet14_nobn")
    sd, sd2 = m.state_dict(), m2.state_dict()
    assert sd.keys() == sd2.keys() and all(torch.equal(sd[k], sd2[k]) for k in sd)
    assert meta["state"]["step"] == 7 and meta["model_name"] == "resnet14_nobn"
    assert torch.equal(meta["state"]["arr"], torch.arange(3.0, dtype=torch.float64))
    opt2 = torch.optim.SGD(m2.parameters(), lr=0.1, momentum=0.9)
    opt2.load_state_dict(meta["state"]["optimizer"])
    bufs = [opt.state[q]["momentum_buffer"] for q in m.parameters()]
    bufs2 = [opt2.state[q]["momentum_buffer"] for q in m2.parameters()]
    assert all(torch.equal(a, b) for a, b in zip(bufs, bufs2))


def test_foreign_files_are_refused(tmp_path):
    m = build_model("fc", in_channels=1, image_size=4)
    p = save_checkpoint(tmp_path / "c.pt", m, "fc", {"in_channels": 1, "image_size": 4})
    with pytest.raises(ValueError, match="holds model 'fc', not 'resnet14'"):
        load_checkpoint(p, expect_model="resnet14")
    other = tmp_path / "o.pt"
    torch.save({"weights": torch.zeros(3)}, other)
    with pytest.raises(ValueError, match="not a fractalsgd checkpoint"):
        load_checkpoint(other)
    payload = torch.load(p, weights_only=True)
    payload["format"] = "fractalsgd-checkpoint-0"
    torch.save(payload, other)
    with pytest.raises(ValueError, match="format"):
        load_checkpoint(other)
    txt = tmp_path / "t.pt"
    txt.write_text("hello")
    with pytest.raises(ValueError, match="not a loadable"):
        load_checkpoint(txt)
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "missing.pt")


class _Evil:
    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(_Evil.target),))


def test_loading_never_executes_code(tmp_path):
    _Evil.target = str(tmp_path / "pwned")
    bad = tmp_path / "evil.pt"
    with open(bad, "wb") as fh:
        pickle.dump({"format": "fractalsgd-checkpoint-1", "x": _Evil()}, fh)
    with pytest.raises(ValueError, match="not a loadable"):
        load_checkpoint(bad)
    assert not (tmp_path / "pwned").exists()
