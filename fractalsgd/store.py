"""NetCDF I/O for fractalsgd datasets: atomic writes, validation on load.

``save`` writes to a temporary file beside the target, flushes it to disk and renames it
over the target (``os.replace`` is atomic on POSIX): a crash, ``kill -9`` or Ctrl-C during
the write leaves the previous file intact and no half-written file under the final name.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import uuid
from pathlib import Path

import numpy as np
import xarray as xr

from .schema import SchemaError, validate

__all__ = ["save", "load", "COMPRESS_MIN_SIZE"]

#: variables with at least this many elements are written with zlib compression
COMPRESS_MIN_SIZE = 4096
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_CDF_MAGIC = (b"CDF\x01", b"CDF\x02", b"CDF\x05")


def _encoding(ds: xr.Dataset, complevel: int) -> dict:
    enc = {}
    for name, var in ds.variables.items():
        if var.size >= COMPRESS_MIN_SIZE and np.issubdtype(var.dtype, np.number):
            enc[name] = {"zlib": True, "complevel": complevel, "shuffle": True}
    return enc


def _clean_attrs(attrs: dict) -> dict:
    """NetCDF attributes cannot be bool or None: store them as int / 'none'."""
    out = {}
    for k, v in attrs.items():
        if isinstance(v, (bool, np.bool_)):
            v = int(v)
        elif v is None:
            v = "none"
        out[k] = v
    return out


@contextlib.contextmanager
def _defer_sigint():
    """Hold Ctrl-C until the block ends, then raise KeyboardInterrupt.

    xarray's NetCDF writer can deadlock on its own lock when KeyboardInterrupt arrives
    mid-write, so the write finishes (the data are kept) and the interrupt follows.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *a: caught.append(a))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def save(ds: xr.Dataset, path, *, complevel: int = 4) -> Path:
    """Validate ``ds`` and write it atomically to ``path`` as NetCDF4 (zlib on large variables).

    Returns the path written. The parent directory is created if needed. Ctrl-C during
    the write is held until the file is complete and renamed, then re-raised.
    """
    validate(ds)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    out = ds.copy(deep=False)
    out.attrs = _clean_attrs(ds.attrs)
    for name in out.variables:
        out[name].attrs = _clean_attrs(out[name].attrs)
    try:
        with _defer_sigint():
            out.to_netcdf(
                tmp, engine="netcdf4", format="NETCDF4", encoding=_encoding(out, complevel)
            )
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:  # pragma: no cover - platforms without directory fsync
        pass
    return path


def _check_magic(path: Path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not (head.startswith(_HDF5_MAGIC) or head[:4] in _CDF_MAGIC):
        raise SchemaError(f"{path}: not a NetCDF file")


def load(path, *, lazy: bool = False) -> xr.Dataset:
    """Open a fractalsgd NetCDF file and validate it.

    Raises :class:`FileNotFoundError` for a missing file and :class:`SchemaError` (with the
    path and the reason) for a file that is not NetCDF, is truncated or corrupt, or does
    not follow the schema. With ``lazy=True`` the data stay on disk (dask-free lazy
    loading by xarray); otherwise everything is read and the file is closed.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if path.is_dir():
        raise SchemaError(f"{path}: is a directory, not a NetCDF file")
    _check_magic(path)
    try:
        ds = xr.open_dataset(path, engine="netcdf4", decode_times=False, decode_timedelta=False)
    except (OSError, ValueError, RuntimeError) as exc:
        raise SchemaError(f"{path}: truncated or corrupt NetCDF ({exc})") from None
    if not lazy:
        try:
            with ds:
                ds = ds.load()
        except (OSError, ValueError, RuntimeError) as exc:
            raise SchemaError(f"{path}: truncated or corrupt NetCDF ({exc})") from None
    try:
        validate(ds)
    except SchemaError as exc:
        ds.close()
        raise SchemaError(f"{path}: not a fractalsgd dataset: {exc}") from None
    return ds
