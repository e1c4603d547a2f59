"""``fractalsgd info FILE``: what a fractalsgd NetCDF file holds."""

from __future__ import annotations

HELP = "describe a fractalsgd NetCDF file (dims, source, seed, configuration, steps)"


def register(parser) -> None:
    parser.add_argument("file", help="a NetCDF file written by fractalsgd")
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..schema import config_of
    from ..store import load

    ds = load(args.file, lazy=True)
    try:
        print(describe(ds, args.file, config_of(ds)))
    finally:
        ds.close()
    return 0


def describe(ds, path, config) -> str:
    a = ds.attrs
    lines = [
        f"file:     {path}",
        f"kind:     {a['kind']}   source: {a['source']}   seed: {a['seed']}",
        f"created:  {a['created']}   fractalsgd {a['fractalsgd_version']}"
        f"   schema {a['schema_version']}",
        "dims:     " + ", ".join(f"{k}={v}" for k, v in ds.sizes.items()),
    ]
    if "step" in ds.coords and ds["step"].size:
        st = ds["step"].values
        lines.append(f"steps:    {int(st[0])} .. {int(st[-1])} ({st.size} snapshots)")
    lines.append(
        "vars:     "
        + ", ".join(f"{n}({','.join(map(str, v.dims))})" for n, v in ds.data_vars.items())
    )
    if "status" in a:
        lines.append(f"status:   {a['status']}")
    if config:
        items = [f"{k}={v}" for k, v in sorted(config.items())]
        text = ", ".join(items)
        if len(text) > 400:
            text = text[:397] + "..."
        lines.append(f"config:   {text}")
    return "\n".join(lines)
