"""Image data sets held in memory as tensors, with batched, seedable augmentation.

:func:`get_dataset` returns an :class:`ImageData`: raw images (uint8 or float in [0, 1]),
integer labels, the per-channel normalisation and the augmentation that applies.
``ImageData.batch(idx, generator)`` gives a normalised float32 batch; all randomness comes
from the ``generator`` passed in, so a training loop that seeds it per step is exactly
reproducible and resumable.

Data sets

* ``cifar10`` / ``cifar100``: torchvision's on-disk format under ``root`` (``download=True``
  fetches it). The paper's augmentation: RandomCrop(32, padding 4, zero fill) and random
  horizontal flip; normalisation mean (125.3, 123.0, 113.9)/255, std (63.0, 62.1, 66.7)/255
  for CIFAR-10 (CIFAR-100: (129.3, 124.1, 112.4)/255, (68.2, 65.4, 70.4)/255).
* ``mnist`` / ``fashionmnist``: torchvision's format; 1 channel, 28x28, no augmentation,
  mean/std 0.1307/0.3081 (MNIST) and 0.2860/0.3530 (Fashion-MNIST).
* ``digits``: scikit-learn's bundled 8x8 handwritten digits (1,797 images, values 0..16,
  no download). Scaled to [0, 1], resized bilinearly to ``image_size`` (default 32; 8
  keeps the originals) and repeated to ``channels`` (default 3) so the CIFAR nets apply
  unchanged. A fixed split (seed 0) keeps 300 images as the test set. No augmentation
  (flips change digits); normalised by the training set's mean and std.
* ``gauss``: the paper's control, uniform random images (uint8 pixels uniform in 0..255)
  with uniformly random labels, ``n`` training images (default 50,000) and ``n // 5`` test
  images, drawn from ``seed``; normalised by the uniform law's mean 0.5 and std
  sqrt(1/12). No augmentation.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

__all__ = ["ImageData", "get_dataset", "DATASETS", "default_data_dir"]

DATASETS = ("cifar10", "cifar100", "mnist", "fashionmnist", "digits", "gauss")

_NORM = {
    "cifar10": ((125.3, 123.0, 113.9), (63.0, 62.1, 66.7)),
    "cifar100": ((129.3, 124.1, 112.4), (68.2, 65.4, 70.4)),
}
_NORM_GRAY = {"mnist": (0.1307, 0.3081), "fashionmnist": (0.2860, 0.3530)}
_DIGITS_TEST = 300


def default_data_dir() -> Path:
    """``$FRACTALSGD_DATA`` or ``~/.cache/fractalsgd/data``."""
    env = os.environ.get("FRACTALSGD_DATA")
    return Path(env) if env else Path.home() / ".cache" / "fractalsgd" / "data"


@dataclass
class ImageData:
    """Images ``(N, C, H, W)`` (uint8 0..255 or float 0..1), labels ``(N,)`` int64."""

    name: str
    images: torch.Tensor
    labels: torch.Tensor
    mean: tuple
    std: tuple
    num_classes: int
    augment: str | None = None  # None or "crop_flip"

    def __post_init__(self):
        if self.images.ndim != 4 or self.images.shape[0] != self.labels.shape[0]:
            raise ValueError(
                f"{self.name}: images must be (N, C, H, W) with N labels, got "
                f"{tuple(self.images.shape)} and {tuple(self.labels.shape)}"
            )
        c = self.images.shape[1]
        self._mean = torch.tensor(self.mean, dtype=torch.float32).reshape(1, c, 1, 1)
        self._std = torch.tensor(self.std, dtype=torch.float32).reshape(1, c, 1, 1)

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def channels(self) -> int:
        return int(self.images.shape[1])

    @property
    def image_size(self) -> int:
        return int(self.images.shape[-1])

    def batch(self, idx, generator: torch.Generator | None = None, augment: bool = True):
        """Normalised float32 images and labels for indices ``idx``.

        The augmentation (if any, and if ``augment``) draws only from ``generator``.
        """
        idx = torch.as_tensor(idx, dtype=torch.long)
        x = self.images[idx]
        x = x.float() / 255.0 if x.dtype == torch.uint8 else x.float()
        if augment and self.augment == "crop_flip":
            x = _crop_flip(x, 4, generator)
        return (x - self._mean) / self._std, self.labels[idx]


def _crop_flip(x: torch.Tensor, pad: int, generator) -> torch.Tensor:
    """RandomCrop(size, padding=pad, zero fill) and horizontal flip (p=1/2), per image."""
    b, c, h, w = x.shape
    xp = torch.nn.functional.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (b,), generator=generator)
    dx = torch.randint(0, 2 * pad + 1, (b,), generator=generator)
    flip = torch.rand(b, generator=generator) < 0.5
    rows = dy[:, None] + torch.arange(h)[None, :]  # (b, h)
    cols = dx[:, None] + torch.arange(w)[None, :]  # (b, w)
    cols = torch.where(flip[:, None], cols.flip(1), cols)
    bi = torch.arange(b)[:, None, None]
    out = xp.permute(0, 2, 3, 1)[bi, rows[:, :, None], cols[:, None, :]]  # (b, h, w, c)
    return out.permute(0, 3, 1, 2).contiguous()


def _torchvision(name, root, train, download):
    import torchvision

    cls = {
        "cifar10": torchvision.datasets.CIFAR10,
        "cifar100": torchvision.datasets.CIFAR100,
        "mnist": torchvision.datasets.MNIST,
        "fashionmnist": torchvision.datasets.FashionMNIST,
    }[name]
    try:
        ds = cls(root=str(root), train=train, download=download)
    except RuntimeError as exc:
        if download:
            raise ValueError(f"{name}: download into {root} failed ({exc})") from None
        raise ValueError(
            f"{name} not found under {root}: pass --download (needs network) or put "
            f"torchvision's {name} files there (--data-dir)"
        ) from None
    except OSError as exc:  # network errors while downloading
        raise ValueError(f"{name}: could not get data into {root} ({exc})") from None
    data = ds.data
    if isinstance(data, np.ndarray):  # CIFAR: (N, 32, 32, 3) uint8
        images = torch.from_numpy(np.ascontiguousarray(data)).permute(0, 3, 1, 2).contiguous()
    else:  # MNIST family: (N, 28, 28) uint8 tensor
        images = data.unsqueeze(1).contiguous()
    labels = torch.as_tensor(np.asarray(ds.targets), dtype=torch.long)
    if name in _NORM:
        mean, std = (tuple(v / 255.0 for v in t) for t in _NORM[name])
        return ImageData(name, images, labels, mean, std, len(ds.classes), "crop_flip")
    m, s = _NORM_GRAY[name]
    return ImageData(name, images, labels, (m,), (s,), 10, None)


def _digits(train, image_size, channels):
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.from_numpy(d.images.astype(np.float32) / 16.0)[:, None]  # (N, 1, 8, 8)
    y = torch.from_numpy(d.target.astype(np.int64))
    perm = torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(0))
    tr, te = perm[:-_DIGITS_TEST], perm[-_DIGITS_TEST:]
    if image_size != 8:
        x = torch.nn.functional.interpolate(
            x, size=(image_size, image_size), mode="bilinear", align_corners=False
        )
    x = x.repeat(1, channels, 1, 1)
    mean = float(x[tr].mean())
    std = float(x[tr].std())
    sel = tr if train else te
    return ImageData("digits", x[sel].contiguous(), y[sel], (mean,) * channels,
                     (std,) * channels, 10, None)  # fmt: skip


def _gauss(train, image_size, channels, n, seed, num_classes=10):
    g = torch.Generator().manual_seed(int(seed) * 2 + (0 if train else 1))
    m = n if train else max(1, n // 5)
    x = torch.randint(0, 256, (m, channels, image_size, image_size), generator=g,
                      dtype=torch.uint8)  # fmt: skip
    y = torch.randint(0, num_classes, (m,), generator=g)
    s = math.sqrt(1.0 / 12.0)
    return ImageData("gauss", x, y, (0.5,) * channels, (s,) * channels, num_classes, None)


def get_dataset(
    name: str,
    train: bool = True,
    *,
    root=None,
    download: bool = False,
    image_size: int | None = None,
    channels: int | None = None,
    n: int | None = None,
    seed: int = 0,
) -> ImageData:
    """Load data set ``name`` (one of :data:`DATASETS`) into memory.

    ``root`` defaults to :func:`default_data_dir`. ``image_size`` and ``channels`` apply to
    ``digits`` (default 32, 3) and ``gauss`` (default 32, 3); ``n`` and ``seed`` to
    ``gauss`` only. Missing torchvision data without ``download`` -> ValueError saying how
    to get it.
    """
    key = str(name).lower().replace("-", "").replace("_", "")
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if key in ("digits", "gauss"):
        size = 32 if image_size is None else int(image_size)
        ch = 3 if channels is None else int(channels)
        if size < 1 or ch < 1:
            raise ValueError(f"{key}: image_size and channels must be >= 1, got {size}, {ch}")
        if key == "digits":
            return _digits(train, size, ch)
        n = 50_000 if n is None else int(n)
        if n < 1:
            raise ValueError(f"gauss: n must be >= 1, got {n}")
        return _gauss(train, size, ch, n, seed)
    if image_size is not None or channels is not None or n is not None:
        raise ValueError(f"{key}: image_size, channels and n apply to digits and gauss only")
    return _torchvision(key, Path(root) if root is not None else default_data_dir(), train,
                        download)  # fmt: skip
