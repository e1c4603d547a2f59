"""``fractalsgd train``: train a network with SGD and record its weight-space trajectory."""

from __future__ import annotations

import sys

HELP = "train a network with SGD, recording TAMSD, aging MSD, sketch, samples (NetCDF)"

EXIT_DIVERGED = 3


def register(parser) -> None:
    a = parser.add_argument
    a(
        "--model",
        default="resnet14",
        help="resnet14/20/32/44/56/110[_noshort][_nobn], vgg9, fc, vit",
    )
    a("--dataset", default="digits", help="digits, gauss, cifar10, cifar100, mnist, fashionmnist")
    g = parser.add_mutually_exclusive_group(required=True)
    g.add_argument("--steps", type=int, help="number of SGD steps")
    g.add_argument("--epochs", type=int, help="number of epochs (last partial batch kept)")
    a("--batch-size", type=int, default=128)
    a("--lr", type=float, default=0.1, help="learning rate (default 0.1, constant)")
    a("--momentum", type=float, default=0.0)
    a("--weight-decay", type=float, default=0.0)
    a("--schedule", default="constant", choices=("constant", "cosine", "step"))
    a("--window", type=int, default=1000, help="TAMSD window W in steps (paper: 1000)")
    a("--sketch-dim", type=int, default=1024, help="random-projection sketch size k")
    a("--sketch-every", type=int, default=1, help="sketch period in steps")
    a("--probe-size", type=int, default=256, help="held-out probe batch size (0: none)")
    a("--probe-every", type=int, default=100, help="probe loss period in steps")
    a("--grad-samples", type=int, default=5000, help="gradient components sampled per window")
    a("--increment-samples", type=int, default=5000, help="increments sampled per window")
    a("--snapshots", type=int, default=0, help="number of log-spaced full snapshots (0: none)")
    a("--aging-lags", type=int, default=None, help="max lag of the aging MSD (default W-1)")
    a("--params", default="all", choices=("all", "exclude_bn"), help="parameters that count")
    a("--per-layer", action="store_true", help="also record per-tensor step length and norm")
    a("--no-augment", action="store_true", help="switch off the data augmentation")
    a("--image-size", type=int, default=None, help="digits/gauss image size (default 32)")
    a("--channels", type=int, default=None, help="digits/gauss channels (default 3)")
    a("--gauss-n", type=int, default=None, help="gauss: number of training images")
    a("--data-dir", default=None, help="torchvision data folder ($FRACTALSGD_DATA)")
    a("--download", action="store_true", help="download torchvision data (needs network)")
    a("--device", default="auto", help="auto (cuda, mps, cpu), cpu, cuda, cuda:1, mps")
    a("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    a("--seed", type=int, default=0)
    a("--out", required=True, help="output NetCDF (rewritten atomically after each window)")
    a("--checkpoint", default=None, help="checkpoint file (default OUT.ckpt with --resume/-every)")
    a(
        "--checkpoint-every",
        type=int,
        default=0,
        help="checkpoint period in steps (0: never); a multiple of --window keeps it small",
    )
    a("--resume", action="store_true", help="continue from --checkpoint if it exists")
    a("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..dnn.train import Diverged, TrainConfig, train

    ckpt = args.checkpoint
    if ckpt is None and (args.checkpoint_every or args.resume):
        ckpt = args.out + ".ckpt"
    cfg = TrainConfig(
        model=args.model,
        dataset=args.dataset,
        steps=args.steps,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        momentum=args.momentum,
        weight_decay=args.weight_decay,
        schedule=args.schedule,
        window=args.window,
        sketch_dim=args.sketch_dim,
        sketch_every=args.sketch_every,
        probe_size=args.probe_size,
        probe_every=args.probe_every,
        grad_samples=args.grad_samples,
        increment_samples=args.increment_samples,
        snapshots=args.snapshots,
        aging_lags=args.aging_lags,
        params=args.params,
        per_layer=args.per_layer,
        augment=not args.no_augment,
        seed=args.seed,
        device=args.device,
        data_dir=args.data_dir,
        download=args.download,
        image_size=args.image_size,
        channels=args.channels,
        gauss_n=args.gauss_n,
        out=args.out,
        checkpoint=ckpt,
        checkpoint_every=args.checkpoint_every,
        resume=args.resume,
        quiet=args.quiet,
        threads=args.threads,
    )
    try:
        ds = train(cfg)
    except Diverged as exc:
        print(f"fractalsgd train: {exc}", file=sys.stderr)
        return EXIT_DIVERGED
    if not args.quiet:
        n = ds.attrs["last_step"]
        print(
            f"wrote {args.out}: {n} steps, {ds.sizes['t_w']} windows, status {ds.attrs['status']}"
        )
    return 0
