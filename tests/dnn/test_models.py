import math

import pytest
import torch

from fractalsgd.dnn import MODEL_NAMES, build_model, count_parameters

# SCIENCE.md: CIFAR ResNet-n with 1x1 conv + BN downsampling shortcuts
PAPER_COUNTS = {"resnet14": 175_258, "resnet20": 272_474, "resnet56": 855_770,
                "resnet110": 1_730_714}  # fmt: skip


@pytest.mark.parametrize("name,count", sorted(PAPER_COUNTS.items()))
def test_resnet_parameter_counts(name, count):
    assert count_parameters(build_model(name)) == count


def test_variant_counts_follow_from_the_architecture():
    base = count_parameters(build_model("resnet14"))
    # noshort drops the two downsampling shortcuts: conv1x1 (16*32, 32*64) + BN (2*32, 2*64)
    assert count_parameters(build_model("resnet14_noshort")) == base - (16 * 32 + 2 * 32) - (
        32 * 64 + 2 * 64
    )
    # nobn: every BN (2 params per channel) becomes a conv bias (1 per channel)
    n_bn_channels = sum(
        m.num_features for m in build_model("resnet14").modules()
        if isinstance(m, torch.nn.BatchNorm2d)
    )  # fmt: skip
    assert count_parameters(build_model("resnet14_nobn")) == base - n_bn_channels
    # fc: 3 hidden layers of 100 on a 1x8x8 input, 10 classes
    fc = build_model("fc", in_channels=1, image_size=8)
    assert count_parameters(fc) == (64 * 100 + 100) + 2 * (100 * 100 + 100) + (100 * 10 + 10)
    assert count_parameters(build_model("fc2", width=7, in_channels=1, image_size=4)) == (
        16 * 7 + 7 + 7 * 7 + 7 + 7 * 10 + 10
    )


@pytest.mark.parametrize("name", [n for n in MODEL_NAMES if not n.startswith(("resnet110",
                                  "resnet56", "resnet44", "resnet32"))])  # fmt: skip
def test_forward_shapes(name):
    torch.manual_seed(0)
    m = build_model(name, num_classes=7, in_channels=1, image_size=16)
    y = m(torch.randn(2, 1, 16, 16))
    assert y.shape == (2, 7) and torch.isfinite(y).all()


def test_paper_initialisation():
    torch.manual_seed(0)
    m = build_model("resnet56")
    conv = m.layer3[1].conv1.weight  # 64*64*9 = 36,864 samples
    fan_in = 64 * 9
    # Kaiming normal: std sqrt(2 / fan_in); the sample std has rel. error ~1/sqrt(2n) = 0.4 %
    assert conv.std().item() == pytest.approx(math.sqrt(2 / fan_in), rel=0.02)
    assert abs(conv.mean().item()) < 4 * math.sqrt(2 / fan_in) / math.sqrt(conv.numel())
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            assert torch.all(mod.weight == 1) and torch.all(mod.bias == 0)
    lin = m.linear
    # N(0, 1e-3^2) on 640 weights: rel. error of the sample std ~ 1/sqrt(1280) = 2.8 %; 4 sigma
    assert lin.weight.std().item() == pytest.approx(1e-3, rel=0.12)
    assert torch.all(lin.bias == 0)


def test_seeded_build_is_reproducible():
    torch.manual_seed(3)
    a = build_model("resnet14").state_dict()
    torch.manual_seed(3)
    b = build_model("resnet14").state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize(
    "args,msg",
    [
        (("resnet15",), "unknown model"),
        (("alexnet",), "unknown model"),
        (("resnet14",), "takes no option"),
        (("vit",), "not a multiple of patch"),
    ],
)
def test_bad_models(args, msg):
    kw = {}
    if msg == "takes no option":
        kw = {"width": 3}
    if msg == "not a multiple of patch":
        kw = {"image_size": 30}
    with pytest.raises(ValueError, match=msg):
        build_model(*args, **kw)
