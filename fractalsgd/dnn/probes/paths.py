"""Loss along paths between two sets of weights: straight line and nudged elastic band."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

from ...schema import result
from ._common import (
    Batches,
    as_flat,
    evaluate,
    loss_and_grad,
    n_params,
    probe_mode,
    set_flat,
    trainable,
)


def _endpoint(theta, model, name):
    """(flat float64 parameters, floating buffers dict or None) of an endpoint."""
    if isinstance(theta, torch.nn.Module):
        theta = theta.state_dict()
    if isinstance(theta, Mapping):
        from ._common import check_state

        check_state(theta, model, name)
        bufs = {
            k: torch.as_tensor(theta[k]).detach().double().cpu()
            for k, b in model.named_buffers()
            if b.is_floating_point()
        }
        return as_flat(theta, model, name), bufs
    return as_flat(theta, model, name), None


def _set_buffers(model, bufs):
    if bufs is None:
        return
    with torch.no_grad():
        for k, b in model.named_buffers():
            if k in bufs:
                b.copy_(bufs[k].to(device=b.device, dtype=b.dtype))


def interpolate(
    model,
    theta_a,
    theta_b,
    data,
    n: int = 51,
    *,
    extend: float = 0.0,
    loss_fn=None,
    bn: str = "eval",
    max_batches: int | None = None,
):
    """Loss along ``(1 - t) theta_a + t theta_b`` (Goodfellow, Vinyals & Saxe 2015).

    ``theta_a``, ``theta_b``: state dicts, models, flat vectors or lists of tensors.
    ``t`` runs over ``linspace(-extend, 1 + extend, n)`` with 0 and 1 included. When both
    endpoints are state dicts (or models) the floating buffers (BN running statistics)
    are interpolated too; otherwise the model's own buffers are used. The model is
    restored afterwards. Returns a result Dataset (``result_type="loss_path"``) with
    ``loss(t)``, ``accuracy(t)``, ``distance(t)`` (from theta_a) and
    ``attrs["barrier"] = max_t L - max(L(0), L(1))``.
    """
    if int(n) != n or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not np.isfinite(extend) or extend < 0:
        raise ValueError(f"extend must be >= 0, got {extend!r}")
    a, ba = _endpoint(theta_a, model, "theta_a")
    b, bb = _endpoint(theta_b, model, "theta_b")
    dist = float((b - a).norm())
    if dist == 0:
        raise ValueError("theta_a and theta_b are identical: nothing to interpolate")
    t = np.linspace(-extend, 1 + extend, int(n))
    t = np.unique(np.concatenate([t, [0.0, 1.0]]))
    batches = Batches(data, max_batches)
    loss = np.empty(t.size)
    acc = np.empty(t.size)
    with probe_mode(model, bn):
        params = trainable(model)
        for i, ti in enumerate(t):
            set_flat(params, a + float(ti) * (b - a))
            if ba is not None and bb is not None:
                _set_buffers(model, {k: ba[k] + float(ti) * (bb[k] - ba[k]) for k in ba})
            loss[i], acc[i] = evaluate(model, batches, loss_fn)
    inside = (t >= 0) & (t <= 1)
    ends = max(loss[t == 0][0], loss[t == 1][0])
    return result(
        {"loss": (("t",), loss), "accuracy": (("t",), acc)},
        coords={"t": t, "distance": ("t", t * dist)},
        config={
            "n": int(n),
            "extend": extend,
            "bn": bn,
            "max_batches": max_batches,
            "n_params": n_params(model),
            "n_samples": batches.n_samples(),
        },
        result_type="loss_path",
        method="linear",
        barrier=float(loss[inside].max() - ends),
        endpoint_distance=dist,
    )


def _tangent(R, V, i):
    """Improved tangent (Henkelman & Jonsson 2000, J. Chem. Phys. 113, 9978, eqs. 8-11)."""
    tp, tm = R[i + 1] - R[i], R[i] - R[i - 1]
    vp, v0, vm = V[i + 1], V[i], V[i - 1]
    if vp > v0 > vm:
        t = tp
    elif vp < v0 < vm:
        t = tm
    else:
        dmax = max(abs(vp - v0), abs(vm - v0))
        dmin = min(abs(vp - v0), abs(vm - v0))
        t = tp * dmax + tm * dmin if vp > vm else tp * dmin + tm * dmax
    nt = t.norm()
    return t / nt if nt > 0 else tp / max(float(tp.norm()), 1e-300)


def neb_path(
    model,
    theta_a,
    theta_b,
    data,
    n_images: int = 11,
    *,
    spring: float = 1.0,
    steps: int = 500,
    dt: float = 0.1,
    dt_max: float = 1.0,
    fmax: float = 1e-3,
    climb: bool = True,
    climb_after: int = 50,
    loss_fn=None,
    bn: str = "eval",
    max_batches: int | None = None,
    return_images: bool = False,
):
    """Minimum-loss path between two weight vectors by a nudged elastic band.

    ``n_images`` images including the two fixed endpoints start on the straight line.
    Each interior image feels the perpendicular loss force plus a spring force along the
    improved tangent (Henkelman & Jonsson 2000); after ``climb_after`` steps the highest
    image climbs (force ``-grad L + 2 (grad L . tau) tau``, Henkelman, Uberuaga & Jonsson
    2000) to the saddle. Minimised with FIRE (Bitzek et al. 2006, PRL 97, 170201) until
    the largest image force is below ``fmax`` or ``steps`` run out. The endpoints' BN
    buffers are the model's own (parameters only move).

    Returns a result Dataset (``result_type="loss_path"``) with ``loss(image)``,
    ``loss_initial(image)`` (the straight path), ``distance(image)`` (cumulative arc
    length), ``attrs["barrier"]`` = max loss - max endpoint loss, ``barrier_linear``,
    ``converged``, ``max_force`` and ``steps``; ``images(image, parameter)`` when
    ``return_images``.
    """
    if int(n_images) != n_images or n_images < 3:
        raise ValueError(f"n_images must be an integer >= 3, got {n_images!r}")
    if spring <= 0 or dt <= 0 or dt_max < dt or fmax <= 0 or steps < 1:
        raise ValueError("spring, dt, fmax must be > 0, dt_max >= dt, steps >= 1")
    a, _ = _endpoint(theta_a, model, "theta_a")
    b, _ = _endpoint(theta_b, model, "theta_b")
    if float((b - a).norm()) == 0:
        raise ValueError("theta_a and theta_b are identical: no path to relax")
    batches = Batches(data, max_batches)
    M = int(n_images)
    s = torch.linspace(0, 1, M, dtype=torch.float64)[:, None]
    R = a[None, :] * (1 - s) + b[None, :] * s
    V = np.empty(M)
    G = torch.zeros_like(R)
    with probe_mode(model, bn):
        params = trainable(model)

        def energy(i):
            set_flat(params, R[i])
            V[i], G[i] = loss_and_grad(model, batches, loss_fn)

        for i in range(M):
            energy(i)
        V0 = V.copy()
        vel = torch.zeros_like(R)
        alpha, n_pos, step_dt = 0.1, 0, dt
        converged, fmax_now, it = False, np.inf, 0
        for it in range(1, int(steps) + 1):
            F = torch.zeros_like(R)
            imax = 1 + int(np.argmax(V[1:-1]))
            for i in range(1, M - 1):
                tau = _tangent(R, V, i)
                g = G[i]
                if climb and it > climb_after and i == imax:
                    F[i] = -g + 2 * (g @ tau) * tau
                else:
                    fs = spring * ((R[i + 1] - R[i]).norm() - (R[i] - R[i - 1]).norm())
                    F[i] = -(g - (g @ tau) * tau) + fs * tau
            fmax_now = float(F[1:-1].norm(dim=1).max())
            if fmax_now < fmax and (not climb or it > climb_after):
                converged = True
                break
            # FIRE
            p = float((F * vel).sum())
            if p > 0:
                fn, vn = float(F.norm()), float(vel.norm())
                vel = (1 - alpha) * vel + alpha * vn * F / max(fn, 1e-300)
                n_pos += 1
                if n_pos > 5:
                    step_dt = min(step_dt * 1.1, dt_max)
                    alpha *= 0.99
            else:
                vel.zero_()
                step_dt *= 0.5
                alpha, n_pos = 0.1, 0
            vel += step_dt * F
            R[1:-1] += step_dt * vel[1:-1]
            for i in range(1, M - 1):
                energy(i)
    seg = (R[1:] - R[:-1]).norm(dim=1).numpy()
    dist = np.concatenate([[0.0], np.cumsum(seg)])
    ends = max(V[0], V[-1])
    dv = {"loss": (("image",), V.copy()), "loss_initial": (("image",), V0)}
    if return_images:
        dv["images"] = (("image", "parameter"), R.numpy())
    return result(
        dv,
        coords={"image": np.arange(M), "distance": ("image", dist)},
        config={
            "n_images": M,
            "spring": spring,
            "steps": int(steps),
            "dt": dt,
            "dt_max": dt_max,
            "fmax": fmax,
            "climb": climb,
            "climb_after": climb_after,
            "bn": bn,
            "max_batches": max_batches,
            "n_params": n_params(model),
        },
        result_type="loss_path",
        method="neb",
        barrier=float(V.max() - ends),
        barrier_linear=float(V0.max() - ends),
        saddle_image=int(np.argmax(V)),
        converged=int(converged),
        max_force=fmax_now,
        steps=int(it),
    )
