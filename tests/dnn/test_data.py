import pickle
import struct

import numpy as np
import pytest
import torch

from fractalsgd.dnn.data import _crop_flip, get_dataset


def test_digits_default_and_raw_sizes():
    from sklearn.datasets import load_digits

    tr = get_dataset("digits")
    te = get_dataset("digits", train=False)
    assert len(tr) + len(te) == 1797 and len(te) == 300
    assert tr.images.shape[1:] == (3, 32, 32) and tr.num_classes == 10
    x, y = tr.batch(torch.arange(len(tr)), augment=True)
    # normalised by the training set's own mean and std
    assert abs(float(x.mean())) < 1e-4 and float(x.std()) == pytest.approx(1.0, abs=1e-4)
    raw = get_dataset("digits", image_size=8, channels=1)
    assert raw.images.shape[1:] == (1, 8, 8)
    # 8x8 keeps the original pixels (value / 16): every image is one of sklearn's
    d = load_digits()
    ref = {tuple(np.round(im.ravel() / 16, 6)) for im in d.images}
    got = raw.images[:50, 0].reshape(50, -1).numpy()
    assert all(tuple(np.round(g, 6)) in ref for g in got)
    assert set(raw.labels.tolist()) == set(range(10))


def test_gauss_control():
    g = get_dataset("gauss", n=2000, image_size=6, channels=2, seed=4)
    assert g.images.shape == (2000, 2, 6, 6) and g.images.dtype == torch.uint8
    x, _ = g.batch(torch.arange(2000))
    # uniform on {0..255}/255 standardised by (0.5, sqrt(1/12)): mean 0 and std 1 up to the
    # discreteness (255 levels: var ratio 1 + 2/255) and sampling error 1/sqrt(72000)
    assert abs(float(x.mean())) < 0.02 and float(x.std()) == pytest.approx(1.0, abs=0.02)
    counts = np.bincount(g.labels.numpy(), minlength=10)
    assert counts.min() > 150  # 200 expected per class, std ~13
    again = get_dataset("gauss", n=2000, image_size=6, channels=2, seed=4)
    assert torch.equal(g.images, again.images)
    assert len(get_dataset("gauss", train=False, n=2000)) == 400


def test_crop_flip_matches_per_image_definition():
    x = torch.arange(2 * 3 * 5 * 5, dtype=torch.float32).reshape(2, 3, 5, 5) + 1
    out = _crop_flip(x, 2, torch.Generator().manual_seed(1))
    g = torch.Generator().manual_seed(1)
    dy = torch.randint(0, 5, (2,), generator=g)
    dx = torch.randint(0, 5, (2,), generator=g)
    flip = torch.rand(2, generator=g) < 0.5
    xp = torch.nn.functional.pad(x, (2, 2, 2, 2))
    for i in range(2):
        ref = xp[i, :, dy[i] : dy[i] + 5, dx[i] : dx[i] + 5]
        if flip[i]:
            ref = ref.flip(-1)
        assert torch.equal(out[i], ref)


def _write_idx(path, arr, magic):
    with open(path, "wb") as fh:
        fh.write(struct.pack(">I", magic) + b"".join(struct.pack(">I", s) for s in arr.shape))
        fh.write(arr.astype(np.uint8).tobytes())


def test_mnist_from_torchvision_files(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, n in (("train", 12), ("t10k", 5)):
        _write_idx(raw / f"{split}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)), 2051)
        _write_idx(raw / f"{split}-labels-idx1-ubyte", rng.integers(0, 10, n), 2049)
    ds = get_dataset("mnist", root=tmp_path)
    assert ds.images.shape == (12, 1, 28, 28) and ds.augment is None
    x, _ = ds.batch([0])
    ref = (torch.from_numpy(np.frombuffer((raw / "train-images-idx3-ubyte").read_bytes()[16:],
           np.uint8)[: 28 * 28].copy()).float() / 255 - 0.1307) / 0.3081  # fmt: skip
    assert torch.allclose(x.reshape(-1), ref, atol=1e-6)
    assert len(get_dataset("mnist", train=False, root=tmp_path)) == 5


def test_cifar10_from_torchvision_files(tmp_path, monkeypatch):
    import torchvision.datasets.cifar as cifar

    # our fake batches cannot match torchvision's md5 sums: skip only that check
    monkeypatch.setattr(cifar.CIFAR10, "_check_integrity", lambda self: True)
    monkeypatch.setattr(cifar, "check_integrity", lambda path, md5=None: True)
    base = tmp_path / "cifar-10-batches-py"
    base.mkdir()
    rng = np.random.default_rng(1)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batches = {}
    for name in names:
        d = {"data": rng.integers(0, 256, (4, 3072), dtype=np.uint8),
             "labels": rng.integers(0, 10, 4).tolist()}  # fmt: skip
        batches[name] = d
        (base / name).write_bytes(pickle.dumps(d))
    (base / "batches.meta").write_bytes(pickle.dumps({"label_names": [str(i) for i in range(10)]}))
    ds = get_dataset("cifar10", root=tmp_path)
    assert ds.images.shape == (20, 3, 32, 32) and ds.augment == "crop_flip"
    assert torch.equal(ds.images[0], torch.from_numpy(batches["data_batch_1"]["data"][0]
                                                      ).reshape(3, 32, 32))  # fmt: skip
    x, y = ds.batch([0], augment=False)
    mean = torch.tensor([125.3, 123.0, 113.9]).reshape(3, 1, 1) / 255
    std = torch.tensor([63.0, 62.1, 66.7]).reshape(3, 1, 1) / 255
    assert torch.allclose(x[0], (ds.images[0].float() / 255 - mean) / std, atol=1e-5)
    assert y.tolist() == batches["data_batch_1"]["labels"][:1]
    xa, _ = ds.batch([0, 1, 2], torch.Generator().manual_seed(0))
    assert xa.shape == (3, 3, 32, 32)


def test_missing_data_says_how_to_get_it(tmp_path):
    with pytest.raises(ValueError, match="pass --download"):
        get_dataset("cifar10", root=tmp_path)
    with pytest.raises(ValueError, match="unknown dataset"):
        get_dataset("imagenet")
    with pytest.raises(ValueError, match="apply to digits and gauss"):
        get_dataset("mnist", root=tmp_path, image_size=8)
