"""Notebook 11's mistake catalog: realistic wrong answers, written as a learner would write them
from the statements (loops, other numpy calls, step-by-step derivations), each rejected and named
with its true cause; correct answers written other ways, each accepted; every known mistake
named as itself."""

import math

import numpy as np

from .catalog import catalog_tests, says

IDS = ["nb11_update_ratio", "nb11_clip_by_global_norm", "nb11_warmup_cosine",
       "nb11_batchnorm_forward", "nb11_batchnorm_backward", "nb11_batchnorm",
       "nb11_dropout_forward"]

norm = np.linalg.norm

# --- update_ratio -------------------------------------------------------------------------------
E = "nb11_update_ratio"
WRONG = [
    (E, "inverted", lambda W_before, W_after: norm(W_before) / norm(W_after - W_before)),
    (E, "divided by the new weights",
     lambda W_before, W_after: float(norm(W_after - W_before) / norm(W_after))),
    (E, "difference of the norms",
     lambda W_before, W_after: (norm(W_after) - norm(W_before)) / norm(W_before)),
    (E, "squared norms",
     lambda W_before, W_after: np.sum((W_after - W_before) ** 2) / np.sum(W_before ** 2)),
    (E, "not divided", lambda W_before, W_after: float(norm(W_after - W_before))),
    (E, "absolute values (L1)",
     lambda W_before, W_after: np.mean(np.abs(W_after - W_before)) / np.mean(np.abs(W_before))),
    (E, "absolute values (L1)",
     lambda W_before, W_after: np.abs(W_after - W_before).sum() / np.abs(W_before).sum()),
    (E, "ratio per entry, averaged",
     lambda W_before, W_after: np.mean(np.abs((W_after - W_before) / W_before))),
    (E, "standard deviations",
     lambda W_before, W_after: (W_after - W_before).std() / W_before.std()),
    (E, "log10", lambda W_before, W_after: np.log10(norm(W_after - W_before) / norm(W_before))),
    (E, "percent", lambda W_before, W_after: 100 * norm(W_after - W_before) / norm(W_before)),
    (E, "spectral norm (ord=2)",
     lambda W_before, W_after: norm(W_after - W_before, 2) / norm(W_before, 2)),
    (E, "norms per column",
     lambda W_before, W_after: norm(W_after - W_before, axis=0) / norm(W_before, axis=0)),
    (E, "largest entries",
     lambda W_before, W_after: np.abs(W_after - W_before).max() / np.abs(W_before).max()),
]
RIGHT = [
    (E, lambda W_before, W_after: norm(W_after - W_before) / norm(W_before)),
    (E, lambda W_before, W_after: math.sqrt(np.sum((W_after - W_before) ** 2)
                                            / np.sum(W_before ** 2))),
    (E, lambda W_before, W_after: float(norm((W_after - W_before).ravel())
                                        / norm(W_before.ravel()))),
    (E, lambda W_before, W_after: float(np.sqrt(np.vdot(W_after - W_before, W_after - W_before))
                                        / np.sqrt(np.vdot(W_before, W_before)))),
]


# --- clip_by_global_norm ------------------------------------------------------------------------
E = "nb11_clip_by_global_norm"


def global_of(grads):
    return math.sqrt(sum(float(np.sum(g * g)) for g in grads))


def clip_each(grads, max_norm):
    out = []
    for g in grads:
        n = norm(g)
        out.append(g * (max_norm / n) if n > max_norm else g.copy())
    return out, global_of(grads)


def clip_values(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads], global_of(grads)


def clip_always(grads, max_norm):
    n = global_of(grads)
    return [g * max_norm / n for g in grads], n


def clip_inverted(grads, max_norm):
    n = global_of(grads)
    return ([g * (n / max_norm) for g in grads] if n > max_norm else list(grads)), n


def clip_with(total):
    def clip(grads, max_norm):
        n = total(grads)
        scale = max_norm / n if n > max_norm else 1.0
        return [g * scale for g in grads], n
    return clip


def clip_report_after(grads, max_norm):
    n = global_of(grads)
    clipped = [g * min(1.0, max_norm / n) if n > 0 else g.copy() for g in grads]
    return clipped, math.sqrt(sum(float(np.sum(c ** 2)) for c in clipped))


def clip_flat(grads, max_norm):
    flat = np.concatenate([g.ravel() for g in grads])
    n = norm(flat)
    return [flat * (max_norm / n if n > max_norm else 1.0)], n


def clip_in_place(grads, max_norm):
    n = global_of(grads)
    if n > max_norm:
        for g in grads:
            g *= max_norm / n
    return grads, n


def clip_only_list(grads, max_norm):
    return clip_with(global_of)(grads, max_norm)[0]


def clip_swapped(grads, max_norm):
    clipped, n = clip_with(global_of)(grads, max_norm)
    return n, clipped


def clip_float64(grads, max_norm):
    clipped, n = clip_with(global_of)(grads, max_norm)
    return [c.astype(np.float64) for c in clipped], n


WRONG += [
    (E, "each array clipped separately", clip_each),
    (E, "values clipped", clip_values),
    (E, "always rescaled", clip_always),
    (E, "scale inverted", clip_inverted),
    (E, "no square root", clip_with(lambda gs: sum(np.sum(g ** 2) for g in gs))),
    (E, "sum of the arrays' norms", clip_with(lambda gs: sum(norm(g) for g in gs))),
    (E, "largest array norm", clip_with(lambda gs: max(norm(g) for g in gs))),
    (E, "norm after clipping", clip_report_after),
    (E, "mean of the squares",
     clip_with(lambda gs: np.sqrt(np.mean(np.concatenate([g.ravel() ** 2 for g in gs]))))),
    (E, "first array only", clip_with(lambda gs: norm(gs[0]))),
    (E, "returned one flat vector", clip_flat),
    (E, "pair in the wrong order", clip_swapped),
    (E, says("changed its input `grads` in place"), clip_in_place),
    (E, says("return the pair (clipped, norm)"), clip_only_list),
    (E, "float64 result for float32 inputs", clip_float64),
]


def clip_tf(grads, max_norm):
    n = global_of(grads)
    return [g * max_norm / max(n, max_norm) for g in grads], n


def clip_torch(grads, max_norm):
    n = float(norm(np.concatenate([g.ravel() for g in grads])))
    coef = min(max_norm / (n + 1e-6), 1.0)
    return [g * coef for g in grads], n


def clip_ge(grads, max_norm):
    total = np.sqrt(sum((g ** 2).sum() for g in grads))
    if total >= max_norm:
        return tuple(g * (max_norm / total) for g in grads), total
    return [np.array(g) for g in grads], total


RIGHT += [(E, clip_with(global_of)), (E, clip_tf), (E, clip_torch), (E, clip_ge)]


# --- warmup_cosine ------------------------------------------------------------------------------
E = "nb11_warmup_cosine"


def schedule(start=None, progress=None, half=0.5, one=1.0, floor=True, on_top=False, clamp=True,
             pi=math.pi, multiply=False, warm_test=lambda t, w: t < w):
    def warmup_cosine(t, lr, warmup, total, lr_min=0.0):
        ramp = (t / warmup) if start == "zero" else ((t + 1) / warmup if warmup else 1.0)
        if multiply:
            p = min(t / total, 1.0)
            return min(1.0, ramp) * (lr_min + half * (lr - lr_min) * (one + math.cos(pi * p)))
        if warm_test(t, warmup):
            return lr * ramp
        p = progress(t, warmup, total) if progress else (t - warmup) / (total - warmup)
        if clamp:
            p = min(p, 1.0)
        low = lr_min if floor and not on_top else 0.0
        return low + half * (lr - low) * (one + math.cos(pi * p)) + (lr_min if on_top else 0.0)
    return warmup_cosine


def schedule_list(t, lr, warmup, total, lr_min=0.0):
    return [schedule()(t, lr, warmup, total, lr_min)]


def schedule_divides_first(t, lr, warmup, total, lr_min=0.0):
    ramp = (t + 1) / warmup
    if t < warmup:
        return lr * ramp
    return schedule()(t, lr, warmup, total, lr_min)


WRONG += [
    (E, "warm-up starts at 0", schedule(start="zero")),
    (E, "warm-up one step too long", schedule(warm_test=lambda t, w: t <= w and w > 0)),
    (E, "cosine one step early", schedule(progress=lambda t, w, T: (t - w + 1) / (T - w))),
    (E, "cosine ends one step early", schedule(progress=lambda t, w, T: (t - w) / (T - w - 1)
                                               if T - w > 1 else 1.0)),
    (E, "warm-up steps not subtracted", schedule(progress=lambda t, w, T: t / T)),
    (E, "progress over total", schedule(progress=lambda t, w, T: (t - w) / T)),
    (E, "no ½", schedule(half=1.0)),
    (E, "cos without the 1 +", schedule(one=0.0)),
    (E, "lr_min left out", schedule(floor=False)),
    (E, "lr_min added on top", schedule(on_top=True)),
    (E, "no clamp after total", schedule(clamp=False)),
    (E, "π missing", schedule(pi=1.0)),
    (E, "warm-up multiplied into the cosine", schedule(multiply=True)),
    (E, says("returned a list"), schedule_list),
    (E, "the warm-up computed when warmup = 0", schedule_divides_first),
]


def schedule_numpy(t, lr, warmup, total, lr_min=0.0):
    if t < warmup:
        return lr * (t + 1) / warmup
    p = np.clip((t - warmup) / (total - warmup), 0, 1)
    return lr_min + 0.5 * (lr - lr_min) * (1 + np.cos(np.pi * p))


def schedule_cos2(t, lr, warmup, total, lr_min=0.0):
    if t < warmup:
        return (t + 1) * lr / warmup
    t = min(t, total)
    return lr_min + (lr - lr_min) * math.cos(math.pi / 2 * (t - warmup) / (total - warmup)) ** 2


def schedule_array(t, lr, warmup, total, lr_min=0.0):
    ramp = np.minimum(1.0, (t + 1) / max(warmup, 1))
    p = min(max(t - warmup, 0) / (total - warmup), 1)
    value = lr_min + (lr - lr_min) * (1 + np.cos(np.pi * p)) / 2
    return np.array(lr * ramp if t < warmup else value)


RIGHT += [(E, schedule()), (E, schedule_numpy), (E, schedule_cos2), (E, schedule_array)]


# --- batchnorm_forward --------------------------------------------------------------------------
E = "nb11_batchnorm_forward"


def bn(axis=0, ddof=0, no_eps=False, eps_outside=False, by_var=False, swap=False, affine=True,
       shift_first=False, center=True, scale=True, copy_dtype=None):
    def batchnorm_forward(X, gamma, beta, eps=1e-5):
        if copy_dtype:
            X = X.astype(copy_dtype)
        keep = axis == 1
        mu = np.mean(X, axis=axis, keepdims=keep)
        var = np.var(X, axis=axis, ddof=ddof, keepdims=keep)
        if by_var:
            spread = var + eps
        elif eps_outside:
            spread = np.std(X, axis=axis, ddof=ddof, keepdims=keep) + eps
        else:
            spread = np.sqrt(var) if no_eps else np.sqrt(var + eps)
        x_hat = ((X - mu) if center else X) / (spread if scale else 1)
        if not affine:
            return x_hat
        if swap:
            return beta * x_hat + gamma
        return gamma * (x_hat + beta) if shift_first else gamma * x_hat + beta
    return batchnorm_forward


def bn_in_place(X, gamma, beta, eps=1e-5):
    X -= X.mean(axis=0)
    X /= np.sqrt(X.var(axis=0) + eps)
    return gamma * X + beta


def bn_loop_unbiased(X, gamma, beta, eps=1e-5):
    out = np.empty_like(X)
    for j in range(X.shape[1]):
        col = X[:, j]
        m = col.sum() / len(col)
        v = ((col - m) ** 2).sum() / (len(col) - 1)
        out[:, j] = gamma[j] * (col - m) / math.sqrt(v + eps) + beta[j]
    return out


WRONG += [
    (E, "statistics per sample (axis=1)", bn(axis=1)),
    (E, "statistics over the whole batch", bn(axis=None)),
    (E, "unbiased variance (ddof=1)", bn(ddof=1)),
    (E, "unbiased variance (ddof=1)", bn_loop_unbiased),
    (E, "no ε", bn(no_eps=True)),
    (E, "ε outside the square root", bn(eps_outside=True)),
    (E, "divided by the variance", bn(by_var=True)),
    (E, "γ and β swapped", bn(swap=True)),
    (E, "no γ and β", bn(affine=False)),
    (E, "β added before scaling", bn(shift_first=True)),
    (E, "not centred", bn(center=False)),
    (E, "not divided by the spread", bn(scale=False)),
    (E, says("changed its input `X` in place"), bn_in_place),
    (E, "float64 result for float32 inputs", bn(copy_dtype=np.float64)),
]


def bn_std(X, gamma, beta, eps=1e-5):
    return (X - X.mean(0)) / np.sqrt(X.std(0) ** 2 + eps) * gamma + beta


def bn_loop(X, gamma, beta, eps=1e-5):
    out = np.zeros_like(X)
    N = X.shape[0]
    for j in range(X.shape[1]):
        mu = sum(X[:, j]) / N
        var = sum((x - mu) ** 2 for x in X[:, j]) / N
        out[:, j] = gamma[j] * (X[:, j] - mu) / np.sqrt(var + eps) + beta[j]
    return out


def bn_keepdims(X, gamma, beta, eps=1e-5):
    mu = X.mean(axis=0, keepdims=True)
    xc = X - mu
    var = (xc * xc).mean(axis=0, keepdims=True)
    return gamma[None, :] * xc / np.sqrt(var + eps) + beta[None, :]


RIGHT += [(E, bn()), (E, bn_std), (E, bn_loop), (E, bn_keepdims)]


# --- batchnorm_backward -------------------------------------------------------------------------
E = "nb11_batchnorm_backward"


def bnb(constant=False, mean_term=True, var_term=True, with_gamma=True, swap=False,
        from_X=False, means=False, axis=0, ddof=0, sign=1, sums=False, no_eps=False):
    def batchnorm_backward(dout, X, gamma, eps=1e-5):
        N = X.shape[0]
        mu = X.mean(axis=0)
        var = X.var(axis=0, ddof=ddof)
        std = np.sqrt(var) if no_eps else np.sqrt(var + eps)
        x_hat = (X - mu) / std
        dbeta = dout.mean(axis=axis) if means else dout.sum(axis=axis)
        dgamma = (dout * (X if from_X else x_hat))
        dgamma = dgamma.mean(axis=axis) if means else dgamma.sum(axis=axis)
        g = gamma if with_gamma else 1
        if constant:
            dX = g * dout / std
        elif sums:
            dX = g / std * (N * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0))
        else:
            bracket = dout.copy()
            if mean_term:
                bracket -= sign * dout.mean(axis=0)
            if var_term:
                bracket -= sign * x_hat * (dout * x_hat).mean(axis=0)
            dX = g / std * bracket
        return (dX, dbeta, dgamma) if swap else (dX, dgamma, dbeta)
    return batchnorm_backward


def bnb_staged(power=-1.5, two=2.0):
    def batchnorm_backward(dout, X, gamma, eps=1e-5):
        N = X.shape[0]
        mu = np.mean(X, axis=0)
        xmu = X - mu
        var = np.mean(xmu ** 2, axis=0)
        ivar = 1.0 / np.sqrt(var + eps)
        x_hat = xmu * ivar
        dx_hat = dout * gamma
        dvar = np.sum(dx_hat * xmu, axis=0) * -0.5 * (var + eps) ** power
        dmu = np.sum(-dx_hat * ivar, axis=0) + dvar * np.mean(-2.0 * xmu, axis=0)
        dX = dx_hat * ivar + dvar * two * xmu / N + dmu / N
        return dX, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
    return batchnorm_backward


def bnb_only_dX(dout, X, gamma, eps=1e-5):
    return bnb()(dout, X, gamma, eps)[0]


WRONG += [
    (E, "μ and σ treated as constants", bnb(constant=True)),
    (E, "mean term missing", bnb(mean_term=False)),
    (E, "variance term missing", bnb(var_term=False)),
    (E, "γ left out of dX", bnb(with_gamma=False)),
    (E, "dgamma and dbeta swapped", bnb(swap=True)),
    (E, "dgamma from X, not X̂", bnb(from_X=True)),
    (E, "means instead of sums", bnb(means=True)),
    (E, "sums over the features (axis=1)", bnb(axis=1)),
    (E, "unbiased variance (ddof=1)", bnb(ddof=1)),
    (E, "signs of the correction terms flipped", bnb(sign=-1)),
    (E, "no ε", bnb(no_eps=True)),
    (E, "∂σ² with the power −½", bnb_staged(power=-0.5)),
    (E, "the 2 of ∂σ²/∂X left out", bnb_staged(two=1.0)),
    (E, says("return the 3 results together"), bnb_only_dX),
]


def bnb_sums_fixed(dout, X, gamma, eps=1e-5):
    N = X.shape[0]
    std = np.sqrt(X.var(0) + eps)
    x_hat = (X - X.mean(0)) / std
    dX = gamma / (N * std) * (N * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0))
    return dX, (dout * x_hat).sum(0), dout.sum(0)


def bnb_loop(dout, X, gamma, eps=1e-5):
    N, D = X.shape
    dX, dgamma, dbeta = np.zeros_like(X), np.zeros(D, X.dtype), np.zeros(D, X.dtype)
    for j in range(D):
        x, d = X[:, j], dout[:, j]
        mu, var = x.mean(), x.var()
        x_hat = (x - mu) / math.sqrt(var + eps)
        dbeta[j], dgamma[j] = d.sum(), (d * x_hat).sum()
        dx_hat = d * gamma[j]
        dX[:, j] = (dx_hat - dx_hat.mean() - x_hat * (dx_hat * x_hat).mean()) / math.sqrt(var + eps)
    return dX, dgamma, dbeta


RIGHT += [(E, bnb()), (E, bnb_staged()), (E, bnb_sums_fixed), (E, bnb_loop)]


# --- batchnorm (the layer's two modes) ----------------------------------------------------------
E = "nb11_batchnorm"


def layer(update_at_inference=False, batch_at_inference=False, running_in_training=False,
          swap_momentum=False, ddof=0, store_std=False, replace=False, never=False,
          mean_only=False, no_eps_inference=False, swapped_modes=False, no_root=False):
    def batchnorm(X, gamma, beta, running_mean, running_var, training, momentum=0.9, eps=1e-5):
        if swapped_modes:
            training = not training
        mu, var = X.mean(axis=0), X.var(axis=0, ddof=ddof)
        if (training and not running_in_training) or (not training and batch_at_inference):
            Y = gamma * (X - X.mean(0)) / np.sqrt(X.var(0) + eps) + beta
        else:
            e = 0.0 if no_eps_inference else eps
            spread = (running_var + e) if no_root else np.sqrt(running_var + e)
            Y = gamma * (X - running_mean) / spread + beta
        if (training or update_at_inference) and not never:
            m = 1 - momentum if swap_momentum else momentum
            v = np.sqrt(var) if store_std else var
            if replace:
                return Y, mu, v
            new_mean = m * running_mean + (1 - m) * mu
            new_var = running_var if mean_only else m * running_var + (1 - m) * v
            return Y, new_mean, new_var
        return Y, running_mean, running_var
    return batchnorm


def layer_in_place(X, gamma, beta, running_mean, running_var, training, momentum=0.9, eps=1e-5):
    if training:
        running_mean *= momentum
        running_mean += (1 - momentum) * X.mean(axis=0)
        running_var *= momentum
        running_var += (1 - momentum) * X.var(axis=0)
        return gamma * (X - X.mean(0)) / np.sqrt(X.var(0) + eps) + beta, running_mean, running_var
    return (gamma * (X - running_mean) / np.sqrt(running_var + eps) + beta, running_mean,
            running_var)


def layer_only_Y(X, gamma, beta, running_mean, running_var, training, momentum=0.9, eps=1e-5):
    return layer()(X, gamma, beta, running_mean, running_var, training, momentum, eps)[0]


WRONG += [
    (E, "running statistics updated at inference", layer(update_at_inference=True)),
    (E, "batch statistics at inference", layer(batch_at_inference=True)),
    (E, "running statistics in training", layer(running_in_training=True)),
    (E, "modes swapped", layer(swapped_modes=True)),
    (E, "momentum on the wrong side", layer(swap_momentum=True)),
    (E, "unbiased variance in the running average", layer(ddof=1)),
    (E, "running standard deviation", layer(store_std=True)),
    (E, "running statistics replaced", layer(replace=True)),
    (E, "running statistics never updated", layer(never=True)),
    (E, "running variance not updated", layer(mean_only=True)),
    (E, "no ε at inference", layer(no_eps_inference=True)),
    (E, "running variance not square-rooted", layer(no_root=True)),
    (E, says("changed its input `running_mean` in place"), layer_in_place),
    (E, "only Y returned", layer_only_Y),
]


def layer_incremental(X, gamma, beta, running_mean, running_var, training, momentum=0.9,
                      eps=1e-5):
    if not training:
        x_hat = (X - running_mean) / np.sqrt(running_var + eps)
        return gamma * x_hat + beta, running_mean.copy(), running_var.copy()
    mu = X.mean(axis=0)
    var = ((X - mu) ** 2).mean(axis=0)
    new_mean = running_mean + (1 - momentum) * (mu - running_mean)
    new_var = running_var + (1 - momentum) * (var - running_var)
    return gamma * (X - mu) / np.sqrt(var + eps) + beta, new_mean, new_var


def layer_tuple_first(X, gamma, beta, running_mean, running_var, training, momentum=0.9,
                      eps=1e-5):
    mean, var = (X.mean(0), X.var(0)) if training else (running_mean, running_var)
    Y = gamma * (X - mean) / np.sqrt(var + eps) + beta
    if training:
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    return [Y, running_mean, running_var]


RIGHT += [(E, layer()), (E, layer_incremental), (E, layer_tuple_first)]


# --- dropout_forward ----------------------------------------------------------------------------
E = "nb11_dropout_forward"


def drop(scale=lambda p: 1 / (1 - p), invert=False, ignore_mask=False, inference=None):
    def dropout_forward(X, p, keep, training=True):
        if not training:
            return X if inference is None else inference(X, p, keep)
        mask = np.logical_not(keep) if invert else keep
        return (X if ignore_mask else X * mask) * scale(p)
    return dropout_forward


def drop_returns_mask(X, p, keep, training=True):
    return keep / (1 - p) if training else X


def drop_int_mask(X, p, keep, training=True):
    return X * keep.astype(np.int64) / (1 - p) if training else X


def drop_in_place(X, p, keep, training=True):
    if training:
        X[~keep] = 0
        X /= 1 - p
    return X


def drop_own_mask(X, p, keep, training=True):
    if not training:
        return X
    return X * (np.random.default_rng(0).random(X.shape) >= p) / (1 - p)


WRONG += [
    (E, "no 1/(1 − p) scaling", drop(scale=lambda p: 1)),
    (E, "scaled by 1/p", drop(scale=lambda p: 1 / p)),
    (E, "multiplied by (1 − p)", drop(scale=lambda p: 1 - p)),
    (E, "mask inverted", drop(invert=True)),
    (E, "mask ignored", drop(ignore_mask=True)),
    (E, "dropout at inference", lambda X, p, keep, training=True: X * keep / (1 - p)),
    (E, "mask applied at inference", drop(inference=lambda X, p, keep: X * keep)),
    (E, "scaled at inference (non-inverted dropout)", drop(inference=lambda X, p, keep: X * (1 - p))),
    (E, "divided at inference", drop(inference=lambda X, p, keep: X / (1 - p))),
    (E, "returned the mask", drop_returns_mask),
    (E, "float64 result for float32 inputs", drop_int_mask),
    (E, says("changed its input `X` in place"), drop_in_place),
    (E, "a mask of its own", drop_own_mask),
]
RIGHT += [
    (E, drop()),
    (E, lambda X, p, keep, training=True: np.where(keep, X / (1 - p), 0).astype(X.dtype)
     if training else X),
    (E, lambda X, p, keep, training=True: X * keep * (1.0 / (1.0 - p)) if training else X.copy()),
    (E, lambda X, p, keep, training=True: (X * keep) / (1 - p) if training and p > 0 else
     X * keep if training else X),
]

# --- more slips, each a one-line change of a learner's own version -------------------------------


def ratio_col_mean(W_before, W_after):
    ratios = [np.linalg.norm(W_after[:, j] - W_before[:, j]) / np.linalg.norm(W_before[:, j])
              for j in range(W_before.shape[1])] if W_before.ndim == 2 else \
        [np.linalg.norm(W_after - W_before) / np.linalg.norm(W_before)]
    return float(sum(ratios) / len(ratios))


def ratio_sums(W_before, W_after):
    return float(np.abs((W_after - W_before).sum()) / np.abs(W_before.sum()))


def clip_no_max(grads, max_norm):
    total = math.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in grads))
    factor = 1.0 / total if total > max_norm else 1.0
    return [(g * factor).astype(g.dtype) for g in grads], total


def clip_one_vector(grads, max_norm):
    v = np.concatenate([g.ravel() for g in grads])
    n = float(np.sqrt(v @ v))
    return (v * (max_norm / n) if n > max_norm else v.copy()), n


def sched(ramp=lambda t, W: (t + 1) / W, wave=lambda p: 1 + math.cos(math.pi * p), after=None):
    def warmup_cosine(t, lr, warmup, total, lr_min=0.0):
        if after is not None and t >= total:
            return after
        if t < warmup:
            return ramp(t, warmup) * lr
        p = min((t - warmup) / (total - warmup), 1.0)
        return lr_min + (lr - lr_min) * wave(p) / 2
    return warmup_cosine


def sched_from_min(t, lr, warmup, total, lr_min=0.0):
    if t < warmup:
        return lr_min + (t + 1) * (lr - lr_min) / warmup
    return sched()(t, lr, warmup, total, lr_min)


def bn_no_shift(X, gamma, beta, eps=1e-5):
    Z = X - X.mean(0)
    return gamma * Z / np.sqrt((Z * Z).mean(0) + eps)


def bn_scale_first(X, gamma, beta, eps=1e-5):
    S = X * gamma
    return (S - X.mean(0)) / np.sqrt(X.var(0) + eps) + beta


def bn_raw_var(X, gamma, beta, eps=1e-5):
    m = X.mean(0)
    return gamma * (X - m) / np.sqrt(np.mean(X * X, axis=0) + eps) + beta


def bn_features_first(X, gamma, beta, eps=1e-5):
    F = X.T
    Fh = (F - F.mean(1, keepdims=True)) / np.sqrt(F.var(1, keepdims=True) + eps)
    return Fh * gamma[:, None] + beta[:, None]


def bnb_form(center=lambda a: a.mean(axis=0), sign=-1.0, scale_dgamma=False, first=1.0):
    def batchnorm_backward(dout, X, gamma, eps=1e-5):
        inv = (X.var(axis=0) + eps) ** -0.5
        xh = (X - X.mean(axis=0)) * inv
        dxh = dout * gamma
        dX = inv * (first * dxh + sign * center(dxh) - xh * center(dxh * xh))
        dgamma = (dout * xh).sum(axis=0) * (gamma if scale_dgamma else 1)
        return dX, dgamma, dout.sum(axis=0)
    return batchnorm_backward


def bnb_var_plus(dout, X, gamma, eps=1e-5):
    std = np.sqrt(X.var(axis=0) + eps)
    xh = (X - X.mean(axis=0)) / std
    g = gamma * dout
    return (g - g.mean(axis=0) + xh * (g * xh).mean(axis=0)) / std, (dout * xh).sum(0), dout.sum(0)


def bnb_no_inv(dout, X, gamma, eps=1e-5):
    xh = (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + eps)
    g = dout * gamma
    return g - g.mean(0) - xh * np.mean(g * xh, axis=0), np.sum(dout * xh, 0), np.sum(dout, 0)


def bnb_centred(dout, X, gamma, eps=1e-5):
    xc = X - X.mean(axis=0)
    std = np.sqrt(X.var(axis=0) + eps)
    g = dout * gamma
    return (g - g.mean(0) - xc * np.mean(g * xc, axis=0)) / std, np.sum(dout * xc / std, 0), \
        dout.sum(0)


def bn_layer(train_with="batch", infer_affine=True, out_order="mv", var_of=lambda X, mu: X.var(0)):
    def batchnorm(X, gamma, beta, running_mean, running_var, training, momentum=0.9, eps=1e-5):
        if not training:
            Xh = (X - running_mean) / np.sqrt(running_var + eps)
            Y = gamma * Xh + beta if infer_affine else Xh
            return (Y, running_mean.copy(), running_var.copy()) if out_order == "mv" else \
                (Y, running_var.copy(), running_mean.copy())
        mu = X.mean(0)
        rm = momentum * running_mean + (1 - momentum) * mu
        rv = momentum * running_var + (1 - momentum) * var_of(X, mu)
        m, v = (rm, rv) if train_with == "running" else (mu, X.var(0))
        Y = gamma * (X - m) / np.sqrt(v + eps) + beta
        return (Y, rm, rv) if out_order == "mv" else (Y, rv, rm)
    return batchnorm


def _bnb_times_std(dout, X, gamma, eps=1e-5):
    std = np.sqrt(X.var(axis=0) + eps)
    X_hat = (X - X.mean(axis=0)) / std
    g = dout * gamma
    dX = std * (g - g.mean(axis=0) - X_hat * (g * X_hat).mean(axis=0))
    return dX, (dout * X_hat).sum(axis=0), dout.sum(axis=0)


def _bn_layer_unbiased(X, gamma, beta, running_mean, running_var, training, momentum=0.9,
                       eps=1e-5):
    if not training:
        return gamma * (X - running_mean) / np.sqrt(running_var + eps) + beta, \
            running_mean, running_var
    mu, var = X.mean(axis=0), X.var(axis=0, ddof=1)
    Y = gamma * (X - mu) / np.sqrt(var + eps) + beta
    return Y, momentum * running_mean + (1 - momentum) * mu, \
        momentum * running_var + (1 - momentum) * var

WRONG += [
    ("nb11_update_ratio", "norms per column, averaged", ratio_col_mean),
    ("nb11_update_ratio", "sums, not norms", ratio_sums),
    ("nb11_update_ratio", "relative change entry by entry",
     lambda W_before, W_after: float(np.linalg.norm((W_after - W_before) / W_before))),
    ("nb11_clip_by_global_norm", "max_norm left out of the scale", clip_no_max),
    ("nb11_clip_by_global_norm", "returned one flat vector", clip_one_vector),
    ("nb11_warmup_cosine", "integer division in the warm-up",
     sched(ramp=lambda t, W: (t + 1) // W)),
    ("nb11_warmup_cosine", "1 − cos", sched(wave=lambda p: 1 - math.cos(math.pi * p))),
    ("nb11_warmup_cosine", "linear decay", sched(wave=lambda p: 2 - 2 * p)),
    ("nb11_warmup_cosine", "0 after total", sched(after=0.0)),
    ("nb11_warmup_cosine", "warm-up from lr_min", sched_from_min),
    ("nb11_batchnorm_forward", "no β", bn_no_shift),
    ("nb11_batchnorm_forward", "γ applied before normalising", bn_scale_first),
    ("nb11_batchnorm_forward", "variance not centred", bn_raw_var),
    ("nb11_batchnorm_forward", "transposed, not transposed back", bn_features_first),
    ("nb11_batchnorm_backward", "means over the whole array", bnb_form(center=np.mean)),
    ("nb11_batchnorm_backward", "multiplied by σ instead of divided", _bnb_times_std),
    ("nb11_batchnorm", "unbiased variance (ddof=1)", _bn_layer_unbiased),
    ("nb11_batchnorm_backward", "mean(dout) added, not subtracted", bnb_form(sign=1.0)),
    ("nb11_batchnorm_backward", "sums instead of means in dX",
     bnb_form(center=lambda a: a.sum(axis=0))),
    ("nb11_batchnorm_backward", "the N on dout missing",
     lambda dout, X, gamma, eps=1e-5: tuple(
         [bnb_form(center=lambda a: a.sum(axis=0))(dout, X, gamma, eps)[0] / len(X)]
         + list(bnb_form()(dout, X, gamma, eps)[1:]))),
    ("nb11_batchnorm_backward", "dgamma times γ", bnb_form(scale_dgamma=True)),
    ("nb11_batchnorm_backward", "means over the features (axis=1)",
     bnb_form(center=lambda a: a.mean(axis=1, keepdims=True))),
    ("nb11_batchnorm_backward", "means over the features (axis=1)",
     bnb_form(center=lambda a: a.mean(axis=-1)[:, None])),
    ("nb11_batchnorm_backward", "σ² term added, not subtracted", bnb_var_plus),
    ("nb11_batchnorm_backward", "1/√(σ² + ε) left out of dX", bnb_no_inv),
    ("nb11_batchnorm_backward", "∂σ² with the power −½", bnb_centred),
    ("nb11_batchnorm", "normalised with the updated running statistics",
     bn_layer(train_with="running")),
    ("nb11_batchnorm", "γ and β left out at inference", bn_layer(infer_affine=False)),
    ("nb11_batchnorm", "running statistics swapped", bn_layer(out_order="vm")),
    ("nb11_batchnorm", "running variance not centred",
     bn_layer(var_of=lambda X, mu: (X ** 2).mean(0))),
    ("nb11_dropout_forward", "a mask of its own",
     lambda X, p, keep, training=True: X * (np.random.default_rng(7).random(X.shape) >= p)
     / (1 - p) if training else X),
    ("nb11_dropout_forward", "brackets missing around 1 − p",
     lambda X, p, keep, training=True: np.where(keep, X, 0) / 1 - p if training else X),
]
RIGHT += [
    ("nb11_batchnorm", bn_layer()),
    ("nb11_batchnorm_backward", bnb_form()),
    ("nb11_warmup_cosine", sched()),
]


# --- written other ways (samples3's families) -------------------------------------------------

WRONG += [
    ("nb11_batchnorm_forward", "standard deviation where the variance belongs",
     lambda X, gamma, beta, eps=1e-5:
     gamma * (X - X.mean(axis=0)) / np.sqrt(X.std(axis=0) + eps) + beta),
    ("nb11_batchnorm_forward", "standard deviation where the variance belongs",
     lambda X, gamma, beta, eps=1e-5:
     gamma * (X - np.mean(X, 0)) / (np.sqrt(X.var(axis=0)) + eps) ** 0.5 + beta),
    ("nb11_batchnorm_forward", "float64 result for float32 inputs",
     lambda X, gamma, beta, eps=1e-5: gamma * (X - np.mean(X, axis=0, dtype=np.float64))
     / np.sqrt(np.var(X, axis=0, dtype=np.float64) + eps) + beta),
]

WRONG += [
    ("nb11_dropout_forward", "dropped units not zeroed",
     lambda X, p, keep, training=True: np.where(keep, X / (1 - p), X) if training else X),
    ("nb11_dropout_forward", "training and inference swapped",
     lambda X, p, keep, training=True: X * keep / (1 - p) if not training else X),
]

_OWN_RNG = np.random.default_rng(5)     # a learner's own random mask, new at every call


def drop_random(X, p, keep, training=True):
    if not training:
        return X
    return X * (_OWN_RNG.random(X.shape) >= p) / (1 - p)


WRONG += [("nb11_dropout_forward", "a mask of its own", drop_random)]

globals().update(catalog_tests(IDS, WRONG, RIGHT))


def test_catalog_holds_ten_wrong_answers_named_as_themselves_per_exercise():
    for exercise_id in IDS:
        named = [x for e, x, _ in WRONG if e == exercise_id and isinstance(x, str)]
        assert len(named) >= 10, (exercise_id, len(named))
