"""``fractalsgd probe CHECKPOINT --surface | --line | --lines | --hessian | --pca RUN.nc |
--interpolate B | --neb B --out FILE.nc``: probe the loss landscape around a trained network.

The checkpoint gives the architecture, the weights (and BN statistics) and, unless
``--dataset`` says otherwise, the data set it was trained on; the loss is evaluated on a
fixed random subset (``--samples``, seeded by ``--seed``) in BN eval mode by default."""

from __future__ import annotations

HELP = "loss surface / lines / Hessian spectrum / paths around a DNN checkpoint"


def _floats(text):
    try:
        return [float(v) for v in str(text).split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"--spans must be comma-separated numbers, got {text!r}") from None


def register(parser) -> None:
    parser.add_argument("checkpoint", help="a checkpoint written by fractalsgd train")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--surface", action="store_true", help="2-D surface, random directions")
    mode.add_argument("--line", action="store_true", help="loss along one random direction")
    mode.add_argument("--lines", action="store_true", help="one direction at several spans")
    mode.add_argument("--hessian", action="store_true", help="top-k Hessian eigenvalues")
    mode.add_argument(
        "--pca",
        metavar="RUN.nc",
        help="the recorded run's snapshots on their PCA plane, on the surface",
    )
    mode.add_argument("--interpolate", metavar="CKPT_B", help="straight path to CKPT_B")
    mode.add_argument("--neb", metavar="CKPT_B", help="nudged elastic band to CKPT_B")
    parser.add_argument("--out", required=True, help="output NetCDF file")
    d = parser.add_argument_group("data")
    d.add_argument("--dataset", help="data set (default: the one the checkpoint was trained on)")
    d.add_argument("--split", choices=("train", "test"), default="train")
    d.add_argument(
        "--samples",
        type=int,
        default=2048,
        help="fixed random subset size (default 2048; 0 = the whole split)",
    )
    d.add_argument("--batch-size", type=int, default=512)
    d.add_argument("--data-dir", help="data root for torchvision sets")
    d.add_argument(
        "--bn",
        choices=("eval", "train"),
        default="eval",
        help="BatchNorm: running statistics (eval, default) or batch statistics",
    )
    g = parser.add_argument_group("surface / lines")
    g.add_argument("--n", type=int, default=51, help="grid points per axis (default 51)")
    g.add_argument("--span", type=float, default=1.0, help="half-width of the grid (default 1)")
    g.add_argument(
        "--spans",
        default="0.001,0.003,0.01,0.03,0.1,0.3,1",
        help="spans for --lines (comma-separated)",
    )
    g.add_argument("--norm", choices=("filter", "layer", "model"), default="filter")
    g.add_argument("--ignore", choices=("biasbn", "none"), default="biasbn")
    h = parser.add_argument_group("hessian")
    h.add_argument("--k", type=int, default=20, help="number of top eigenvalues (default 20)")
    h.add_argument("--method", choices=("lanczos", "power"), default="lanczos")
    h.add_argument(
        "--trace", type=int, default=0, metavar="N", help="also a Hutchinson trace with N probes"
    )
    h.add_argument(
        "--snapshots",
        metavar="RUN.nc",
        help="Hessian at every full snapshot of a recorded run (over training)",
    )
    p = parser.add_argument_group("paths")
    p.add_argument("--images", type=int, default=11, help="NEB images incl. ends (default 11)")
    p.add_argument("--steps", type=int, default=300, help="NEB steps (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    parser.set_defaults(func=run)


def _train_config(meta) -> dict:
    import json

    cfg = (meta.get("state") or {}).get("config")
    if isinstance(cfg, str):
        try:
            return json.loads(cfg)
        except json.JSONDecodeError:
            return {}
    return cfg if isinstance(cfg, dict) else {}


def load_probe_data(meta, args):
    """The fixed (inputs, targets) batches the probe evaluates, from the checkpoint's
    training configuration unless overridden on the command line."""
    import torch

    from ..dnn.data import get_dataset

    if str(args.samples).lower() == "all":
        samples = None
    else:
        try:
            samples = int(args.samples)
        except ValueError:
            raise ValueError(
                f"--samples must be an integer or 'all', got {args.samples!r}"
            ) from None
        if samples < 1:
            raise ValueError(f"data subset is empty: --samples {samples}")
    if args.batch_size < 1:
        raise ValueError(f"--batch-size must be >= 1, got {args.batch_size}")
    tcfg = _train_config(meta)
    name = args.dataset or tcfg.get("dataset")
    if not name:
        raise ValueError("the checkpoint does not say its data set: pass --dataset")
    kw = {}
    if str(name).lower() in ("digits", "gauss"):
        mk = meta.get("model_kwargs", {})
        kw = dict(image_size=mk.get("image_size"), channels=mk.get("in_channels"))
        if str(name).lower() == "gauss":
            kw.update(n=tcfg.get("gauss_n"), seed=tcfg.get("seed", 0))
    else:
        kw = dict(root=args.data_dir or tcfg.get("data_dir"))
    data = get_dataset(name, train=args.split == "train", **kw)
    n = len(data)
    idx = torch.randperm(n, generator=torch.Generator().manual_seed(args.seed))
    if samples is not None:
        idx = idx[:samples]
    x, y = data.batch(idx, augment=False)
    if len(y) == 0:
        raise ValueError("data subset is empty")
    bs = args.batch_size
    return [(x[i : i + bs], y[i : i + bs]) for i in range(0, len(y), bs)], name


def _run(path):
    from ..store import load

    ds = load(path)
    if "snapshot" not in ds:
        raise ValueError(
            f"{path} holds no full parameter snapshots: record the run with snapshots > 0"
        )
    return ds


def run(args) -> int:
    from ..dnn import probes
    from ..dnn.checkpoint import load_checkpoint
    from ..store import save

    if args.snapshots and not args.hessian:
        raise ValueError("--snapshots goes with --hessian (use --pca RUN.nc for the path)")
    model, meta = load_checkpoint(args.checkpoint)
    batches, dname = load_probe_data(meta, args)
    common = dict(bn=args.bn)
    ignore = None if args.ignore == "none" else "biasbn"
    if args.surface or args.line or args.lines:
        d1 = probes.random_directions(model, args.norm, ignore, seed=args.seed)
        if args.surface:
            d2 = probes.random_directions(model, args.norm, ignore, seed=args.seed + 1)
            ds = probes.loss_surface(
                model,
                batches,
                d1,
                d2,
                args.span,
                args.n,
                progress=args.progress,
                seed=args.seed,
                **common,
            )
        elif args.line:
            ds = probes.loss_line(
                model,
                batches,
                d1,
                args.span,
                args.n,
                progress=args.progress,
                seed=args.seed,
                **common,
            )
        else:
            ds = probes.loss_lines(
                model,
                batches,
                d1,
                _floats(args.spans),
                args.n,
                progress=args.progress,
                seed=args.seed,
                **common,
            )
        ds.attrs.update(norm=args.norm, ignore=args.ignore)
    elif args.pca:
        ds = probes.trajectory_surface(model, batches, _run(args.pca), args.n,
                                       progress=args.progress, **common)  # fmt: skip
    elif args.hessian and args.snapshots:
        ds = probes.hessian_over_training(_run(args.snapshots), model, batches, args.k,
                                          args.method, trace_samples=args.trace,
                                          label="step", seed=args.seed, **common)  # fmt: skip
    elif args.hessian:
        ds = probes.hessian_eigs(model, batches, args.k, args.method, seed=args.seed, **common)
        if args.trace:
            est = probes.hessian_trace(model, batches, args.trace, seed=args.seed, **common)
            ds.attrs.update(trace=est.value, trace_stderr=est.stderr)
    else:
        other, ometa = load_checkpoint(args.interpolate or args.neb)
        if ometa.get("model_name") != meta.get("model_name"):
            raise ValueError(
                f"checkpoints hold different models: {meta.get('model_name')!r} and "
                f"{ometa.get('model_name')!r}"
            )
        sa = {k: v.clone() for k, v in model.state_dict().items()}
        if args.interpolate:
            ds = probes.interpolate(model, sa, other.state_dict(), batches, args.n, **common)
        else:
            ds = probes.neb_path(
                model, sa, other.state_dict(), batches, args.images, steps=args.steps, **common
            )
    ds.attrs.update(
        checkpoint=str(args.checkpoint),
        model_name=str(meta.get("model_name")),
        dataset=str(dname),
        split=args.split,
    )
    save(ds, args.out)
    print(args.out)
    return 0
