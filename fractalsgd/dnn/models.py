"""The networks of Chen, Qu & Gong (2022) and their controls, with the paper's initialisation.

Names understood by :func:`build_model`:

* ``resnet{14,20,32,44,56,110}``: CIFAR-style ResNet-n (He et al. 2016, sec. 4.2): a 3x3
  stem conv to 16 channels, three stages of (n-2)/6 BasicBlocks with 16/32/64 channels
  (stride 2 at the start of stages 2 and 3), 3x3 convs without bias, BatchNorm, a 1x1
  conv + BN downsampling shortcut where the shape changes, global average pooling and
  Linear(64, num_classes). 175,258 / 272,474 / 855,770 / 1,730,714 parameters for
  n = 14 / 20 / 56 / 110 (SCIENCE.md).
* ``resnet{n}_noshort``: the same without shortcuts (the paper's "VGG-like" nets);
  ``resnet{n}_nobn``: without BatchNorm (convs then carry a bias);
  ``resnet{n}_noshort_nobn``: both.
* ``vgg9``: 7 conv3x3-BN-ReLU layers (64, M, 128, M, 256, 256, M, 512, 512, M, 512, M;
  M = 2x2 max pool) and 2 linear layers (512 -> 512 -> classes), as the VGG-9 of
  Li et al. (2018, "Visualizing the loss landscape of neural nets").
* ``fc`` / ``fc{depth}``: fully connected ReLU net with ``depth`` hidden layers of ``width``
  units (defaults depth 3, width 100) on the flattened image.
* ``vit``: a small Vision Transformer (Dosovitskiy et al. 2021): patch 4, dim 64, depth 4,
  4 heads, MLP 128, class token, learned position embedding, pre-norm, no dropout.

Initialisation (the paper's, from its released code): Kaiming-normal (fan_in, ReLU gain)
for conv weights; BatchNorm weight 1, bias 0; the classifier ``Linear`` weight
N(0, 1e-3^2), bias 0. Hidden linear layers (fc, vgg9, vit) get Kaiming-normal (fan_in)
weights and zero bias; the ViT's embeddings and attention use N(0, 0.02^2) (ViT paper).
"""

from __future__ import annotations

import re

import torch
from torch import nn

__all__ = ["build_model", "MODEL_NAMES", "count_parameters"]

_RESNET_DEPTHS = (14, 20, 32, 44, 56, 110)
MODEL_NAMES = tuple(
    [f"resnet{d}{v}" for d in _RESNET_DEPTHS for v in ("", "_noshort", "_nobn", "_noshort_nobn")]
    + ["vgg9", "fc", "vit"]
)


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _norm(channels: int, bn: bool) -> nn.Module:
    return nn.BatchNorm2d(channels) if bn else nn.Identity()


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN, plus shortcut (identity or 1x1 conv + BN), then ReLU."""

    def __init__(self, cin: int, cout: int, stride: int, shortcut: bool, bn: bool):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=not bn)
        self.bn1 = _norm(cout, bn)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=not bn)
        self.bn2 = _norm(cout, bn)
        self.use_shortcut = shortcut
        self.shortcut = nn.Sequential()
        if shortcut and (stride != 1 or cin != cout):
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=not bn), _norm(cout, bn)
            )

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.use_shortcut:
            out = out + self.shortcut(x)
        return torch.relu(out)


class ResNet(nn.Module):
    """CIFAR ResNet-n (n = 6k + 2), optionally without shortcuts and/or BatchNorm."""

    def __init__(self, depth, num_classes=10, in_channels=3, shortcut=True, bn=True):
        super().__init__()
        if (depth - 2) % 6:
            raise ValueError(f"ResNet depth must be 6k+2, got {depth}")
        nblocks = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=not bn)
        self.bn1 = _norm(16, bn)
        layers, cin = [], 16
        for i, cout in enumerate((16, 32, 64)):
            blocks = []
            for j in range(nblocks):
                stride = 2 if (i > 0 and j == 0) else 1
                blocks.append(BasicBlock(cin, cout, stride, shortcut, bn))
                cin = cout
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = layers
        self.linear = nn.Linear(64, num_classes)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = torch.flatten(nn.functional.adaptive_avg_pool2d(out, 1), 1)
        return self.linear(out)


class VGG9(nn.Module):
    """VGG-9: 7 conv3x3-BN-ReLU layers with max pooling, then 512 -> 512 -> classes."""

    CFG = (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, "M")

    def __init__(self, num_classes=10, in_channels=3):
        super().__init__()
        layers, cin = [], in_channels
        for v in self.CFG:
            if v == "M":
                layers.append(nn.MaxPool2d(2, ceil_mode=True))
            else:
                layers += [nn.Conv2d(cin, v, 3, 1, 1, bias=False), nn.BatchNorm2d(v), nn.ReLU()]
                cin = v
        self.features = nn.Sequential(*layers)
        self.hidden = nn.Linear(512, 512)
        self.linear = nn.Linear(512, num_classes)

    def forward(self, x):
        out = nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.linear(torch.relu(self.hidden(torch.flatten(out, 1))))


class FC(nn.Module):
    """Fully connected ReLU net: flatten, ``depth`` hidden layers of ``width``, classifier."""

    def __init__(self, in_features, num_classes=10, depth=3, width=100):
        super().__init__()
        if depth < 1 or width < 1:
            raise ValueError(f"fc needs depth >= 1 and width >= 1, got {depth}, {width}")
        dims = [in_features] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.linear = nn.Linear(width, num_classes)

    def forward(self, x):
        x = torch.flatten(x, 1)
        for layer in self.hidden:
            x = torch.relu(layer(x))
        return self.linear(x)


class _Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-2, -1) / (d // self.heads) ** 0.5, dim=-1)
        return self.proj((att @ v).transpose(1, 2).reshape(b, n, d))


class _ViTBlock(nn.Module):
    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = _Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp), nn.GELU(), nn.Linear(mlp, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    """A small pre-norm Vision Transformer with a class token."""

    def __init__(self, num_classes=10, in_channels=3, image_size=32, patch=4, dim=64,
                 depth=4, heads=4, mlp=128):  # fmt: skip
        super().__init__()
        if image_size % patch:
            raise ValueError(f"vit: image_size {image_size} is not a multiple of patch {patch}")
        if dim % heads:
            raise ValueError(f"vit: dim {dim} is not a multiple of heads {heads}")
        n = (image_size // patch) ** 2
        self.embed = nn.Conv2d(in_channels, dim, patch, patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.blocks = nn.Sequential(*[_ViTBlock(dim, heads, mlp) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.linear = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.embed(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        return self.linear(self.norm(self.blocks(x))[:, 0])


def _init_paper(model: nn.Module) -> None:
    """Kaiming-normal convs, BN (1, 0), classifier N(0, 1e-3^2), hidden linears Kaiming."""
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            if isinstance(model, ViT):
                nn.init.normal_(m.weight, 0.0, 0.02)
            else:
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            if name == "linear":
                nn.init.normal_(m.weight, 0.0, 1e-3)
            elif isinstance(model, ViT):
                nn.init.normal_(m.weight, 0.0, 0.02)
            else:
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            nn.init.zeros_(m.bias)
    if isinstance(model, ViT):
        nn.init.normal_(model.pos, 0.0, 0.02)
        nn.init.normal_(model.cls, 0.0, 0.02)


def build_model(
    name: str, num_classes: int = 10, in_channels: int = 3, image_size: int = 32, **kwargs
) -> nn.Module:
    """Build network ``name`` (see the module docstring) with the paper's initialisation.

    ``image_size`` matters for ``fc`` (input width) and ``vit`` only. ``kwargs``: ``depth``,
    ``width`` for ``fc``; ``patch``, ``dim``, ``depth``, ``heads``, ``mlp`` for ``vit``.
    Initialisation draws from torch's global RNG: seed it (``torch.manual_seed``) first.
    """
    if not isinstance(name, str):
        raise ValueError(f"model name must be a string, got {name!r}")
    if num_classes < 1 or in_channels < 1 or image_size < 1:
        raise ValueError(
            "num_classes, in_channels and image_size must be >= 1, got "
            f"{num_classes}, {in_channels}, {image_size}"
        )
    key = name.lower()
    m = re.fullmatch(r"resnet(\d+)((?:_noshort)?(?:_nobn)?)", key)
    fcm = re.fullmatch(r"fc(\d*)", key)
    if m and int(m.group(1)) in _RESNET_DEPTHS:
        _no_kwargs(name, kwargs)
        model = ResNet(
            int(m.group(1)),
            num_classes,
            in_channels,
            shortcut="_noshort" not in m.group(2),
            bn="_nobn" not in m.group(2),
        )
    elif key == "vgg9":
        _no_kwargs(name, kwargs)
        model = VGG9(num_classes, in_channels)
    elif fcm:
        if fcm.group(1):
            kwargs.setdefault("depth", int(fcm.group(1)))
        _check_kwargs(name, kwargs, ("depth", "width"))
        model = FC(in_channels * image_size * image_size, num_classes, **kwargs)
    elif key == "vit":
        _check_kwargs(name, kwargs, ("patch", "dim", "depth", "heads", "mlp"))
        model = ViT(num_classes, in_channels, image_size, **kwargs)
    else:
        raise ValueError(
            f"unknown model {name!r}; choose one of resnet{{{','.join(map(str, _RESNET_DEPTHS))}}}"
            "[_noshort][_nobn], vgg9, fc, fc<depth>, vit"
        )
    _init_paper(model)
    return model


def _no_kwargs(name, kwargs):
    _check_kwargs(name, kwargs, ())


def _check_kwargs(name, kwargs, allowed):
    bad = sorted(set(kwargs) - set(allowed))
    if bad:
        raise ValueError(f"model {name!r} takes no option(s) {', '.join(bad)}")
