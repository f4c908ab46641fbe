"""How fast does nnlib train, next to what a learner would reach for next?

Trains the same network — a 784-256-10 MLP, ReLU, softmax cross-entropy, plain SGD, batch 128,
float32, on 60 000 seeded synthetic samples — with:

* nnlib (``nnlib.fit``, the code the course teaches),
* a tight hand-written numpy loop (the same maths in one function, in-place updates),
* PyTorch on the CPU and scikit-learn's MLPClassifier (``make bench`` installs both; each is
  skipped, with a line saying so, when it cannot be imported),
* the matrix-product floor: only the five matrix products of each batch (two forward, three
  backward), which no numpy implementation of this network can avoid.

Epochs are interleaved (one epoch of each, round after round, in a seeded random order each
round, since a fixed order favours whoever runs after a given neighbour) so that machine noise
hits all alike; the table gives the median seconds per epoch, nnlib's ratio to each, and the
achieved GFLOP/s against numpy's own GEMM rate. Then nnlib's peak memory during an epoch and
its dtype.

Every figure is a ratio taken within one round (nnlib's epoch ÷ the other's epoch of the same
round), then summarised over the rounds by its median and interquartile range: load that comes
and goes hits both epochs of a round alike, and the spread shows how much it moved them.
``--also PATH`` adds the nnlib package found in the checkout at PATH as one more contestant (to
compare a change with main in one run).

    python benchmarks/train_speed.py [--rounds 7] [--samples 60000] [--also ../main]
"""

import argparse
import importlib.util
import os
import sys
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

import nnlib

D, H, K, BATCH, LR = 784, 256, 10, 128, 0.05


def make_data(n, seed=0):
    """Synthetic digits-like data: X (n, 784) float32 in [0, 1), labels from a random teacher."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, D), dtype=np.float32)
    teacher = rng.standard_normal((D, K)).astype(np.float32)
    y = (X @ teacher).argmax(axis=1)
    return X, y


def flops_per_epoch(n):
    """Multiply-adds ×2 of the three GEMMs per layer (forward, dW, dX), dX skipped for layer 1."""
    forward = 2 * n * (D * H + H * K)
    backward = 2 * n * (D * H + H * K) + 2 * n * (H * K)
    return forward + backward


# --- the contestants: each returns a function that trains one epoch -----------------------------

def nnlib_trainer(X, y, nnlib=nnlib):
    Y = nnlib.data.one_hot(y, K, dtype=np.float32)
    net = nnlib.Network.from_sizes([D, H, K], activation="relu", output="softmax",
                                   rng=np.random.default_rng(1), dtype=np.float32)
    opt = nnlib.SGD(net.parameters(), lr=LR)
    rng = np.random.default_rng(2)

    def epoch():
        return nnlib.fit(net, X, Y, cost="categorical_cross_entropy", optimizer=opt, epochs=1,
                         batch_size=BATCH, rng=rng)["cost"][-1]
    epoch.network = net
    return epoch


def numpy_trainer(X, y):
    """The hand loop: the same maths in one function, in-place updates, nothing else."""
    rng = np.random.default_rng(1)
    W1 = (rng.standard_normal((D, H)) * np.sqrt(2 / D)).astype(np.float32)
    b1 = np.zeros(H, np.float32)
    W2 = (rng.standard_normal((H, K)) * np.sqrt(2 / H)).astype(np.float32)
    b2 = np.zeros(K, np.float32)
    Y = np.eye(K, dtype=np.float32)[y]
    shuffle = np.random.default_rng(2)
    lr = np.float32(LR)

    def epoch():
        nonlocal W1, b1, W2, b2  # updated in place
        total = 0.0
        order = shuffle.permutation(len(X))
        for start in range(0, len(X), BATCH):
            idx = order[start:start + BATCH]
            Xb, Yb = X[idx], Y[idx]
            Z1 = Xb @ W1
            Z1 += b1
            A1 = np.maximum(Z1, 0, out=Z1)
            Z2 = A1 @ W2
            Z2 += b2
            Z2 -= Z2.max(axis=1, keepdims=True)
            P = np.exp(Z2, out=Z2)
            P /= P.sum(axis=1, keepdims=True)
            total += float(-np.log(np.maximum(P[Yb > 0], 1e-7)).sum())
            dZ2 = P
            dZ2 -= Yb
            dZ2 /= len(idx)
            dA1 = dZ2 @ W2.T
            dA1 *= A1 > 0
            W2 -= lr * (A1.T @ dZ2)
            b2 -= lr * dZ2.sum(axis=0)
            W1 -= lr * (Xb.T @ dA1)
            b1 -= lr * dA1.sum(axis=0)
        return total / len(X)
    return epoch


def floor_trainer(X, y):
    """The floor: per batch, only X·W1, A·W2 (forward), Aᵀ·dZ2, dZ2·W2ᵀ, Xᵀ·dA (backward), on
    contiguous batches (no shuffle, no gather), with nothing between the products."""
    rng = np.random.default_rng(1)
    W1 = rng.standard_normal((D, H)).astype(np.float32)
    W2 = rng.standard_normal((H, K)).astype(np.float32)

    def epoch():
        for start in range(0, len(X), BATCH):
            Xb = X[start:start + BATCH]
            A1 = Xb @ W1
            dZ2 = A1 @ W2
            A1.T @ dZ2
            dA1 = dZ2 @ W2.T
            Xb.T @ dA1
        return 0.0
    return epoch


def torch_trainer(X, y):
    import torch
    torch.manual_seed(1)
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1)))
    model = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.ReLU(), torch.nn.Linear(H, K))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(2)

    def epoch():
        total = 0.0
        order = torch.randperm(len(Xt), generator=gen)
        for start in range(0, len(Xt), BATCH):
            idx = order[start:start + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        return total / len(Xt)
    return epoch


def sklearn_trainer(X, y):
    from sklearn.neural_network import MLPClassifier
    model = MLPClassifier(hidden_layer_sizes=(H,), solver="sgd", batch_size=BATCH,
                          learning_rate_init=LR, momentum=0.0, random_state=1, shuffle=True)
    classes = np.arange(K)

    def epoch():
        model.partial_fit(X, y, classes=classes)
        return model.loss_
    return epoch


def load_nnlib(checkout):
    """The nnlib package of another checkout (e.g. main's), imported under a name of its own."""
    path = Path(checkout).resolve() / "nnlib" / "__init__.py"
    name = f"nnlib_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path,
                                                  submodule_search_locations=[str(path.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def available(also=()):
    """``{name: make_trainer}`` for every contestant that can run here, and the names skipped
    (with why)."""
    contestants, skipped = {"nnlib": nnlib_trainer, "numpy loop": numpy_trainer}, {}
    for checkout in also:
        other = load_nnlib(checkout)
        contestants[f"nnlib at {checkout}"] = lambda X, y, other=other: nnlib_trainer(X, y, other)
    for name, module, trainer in (("PyTorch (CPU)", "torch", torch_trainer),
                                  ("scikit-learn", "sklearn", sklearn_trainer)):
        try:
            __import__(module)
            contestants[name] = trainer
        except ImportError:
            skipped[name] = (f"`import {module}` failed (`make bench` installs it with the "
                             f"bench extra of pyproject.toml)")
    contestants["matmul floor"] = floor_trainer
    return contestants, skipped


def gemm_gflops(repeats=50):
    """numpy's float32 GEMM rate on this layer's biggest product, (128, 784) @ (784, 256)."""
    rng = np.random.default_rng(0)
    A = rng.random((BATCH, D), dtype=np.float32)
    B = rng.random((D, H), dtype=np.float32)
    A @ B
    start = time.perf_counter()
    for _ in range(repeats):
        A @ B
    return 2 * BATCH * D * H * repeats / (time.perf_counter() - start) / 1e9


def peak_memory(X, y):
    """Peak bytes numpy allocates during one nnlib epoch (tracemalloc), beyond the data."""
    epoch = nnlib_trainer(X, y)
    tracemalloc.start()
    epoch()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    dtypes = {p.value.dtype.name for p in epoch.network.parameters()}
    return peak, dtypes


def spread(values):
    """``{"median", "q1", "q3"}`` of a list (quartiles by linear interpolation)."""
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {"median": float(median), "q1": float(q1), "q3": float(q3)}


def one_thread():
    """Whether numpy's BLAS and PyTorch were told to use one thread (then CPU time is the fair
    clock: it leaves out the time other processes held the core)."""
    return all(os.environ.get(v) == "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"))


def measure(rounds=7, samples=60_000, also=(), clock=None):
    """Time every contestant over ``rounds`` interleaved epochs; return the figures as a dict:
    seconds per epoch (median and quartiles), nnlib's per-round ratio to each, GFLOP/s, GEMM
    rate, nnlib's peak memory and dtypes, the load average before and after.

    ``clock``: "cpu" (this process's CPU time, the default when every library runs one
    thread) or "wall"."""
    clock = clock or ("cpu" if one_thread() else "wall")
    now = time.process_time if clock == "cpu" else time.perf_counter
    X, y = make_data(samples)
    load_before = os.getloadavg()[0]
    makers, skipped = available(also)
    contestants = {name: make(X, y) for name, make in makers.items()}
    times = {name: [] for name in contestants}
    for epoch in contestants.values():  # one warm-up epoch each, not timed
        epoch()
    order = np.random.default_rng(0)
    for _ in range(rounds):
        for name in order.permutation(list(contestants)):
            start = now()
            contestants[name]()
            times[name].append(now() - start)
    load_after = os.getloadavg()[0]
    work = flops_per_epoch(samples) / 1e9
    peak, dtypes = peak_memory(X, y)
    return {
        "samples": samples, "rounds": rounds, "batch": BATCH, "cores": os.cpu_count(),
        "clock": clock,
        "load_before": round(load_before, 1), "load_after": round(load_after, 1),
        "skipped": skipped,
        "seconds_per_epoch": {name: spread(ts) for name, ts in times.items()},
        "nnlib_ratio": {name: spread([a / b for a, b in zip(times["nnlib"], ts)])
                        for name, ts in times.items() if name != "nnlib"},
        "gflops": {name: work / statistics.median(ts) for name, ts in times.items()},
        "gemm_gflops": gemm_gflops(),
        "peak_mib": peak / 2**20, "data_mib": X.nbytes / 2**20,
        "dtypes": sorted(dtypes),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="epochs timed per contestant")
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--also", action="append", default=[], metavar="PATH",
                        help="also time the nnlib of the checkout at PATH")
    args = parser.parse_args(argv)
    r = measure(args.rounds, args.samples, args.also)
    for name, why in r["skipped"].items():
        print(f"{name}: skipped, {why}")
    print(f"\n{r['samples']} samples, 784-256-10 MLP, ReLU, softmax cross-entropy, SGD, batch "
          f"{BATCH}, float32; {r['rounds']} interleaved rounds, {r['clock']} time; "
          f"{r['cores']} cores, load average {r['load_before']} before and {r['load_after']} "
          f"after\n")
    print(f"{'library':<22}{'s/epoch':>9}{'nnlib ÷ it (median, IQR)':>30}{'GFLOP/s':>9}")
    for name, s in r["seconds_per_epoch"].items():
        q = r["nnlib_ratio"].get(name)
        ratio = f"{q['median']:.2f} ({q['q1']:.2f}–{q['q3']:.2f})" if q else "1"
        print(f"{name:<22}{s['median']:>9.3f}{ratio:>30}{r['gflops'][name]:>9.1f}")
    print(f"\nnumpy GEMM (128×784 @ 784×256, float32): {r['gemm_gflops']:.1f} GFLOP/s; nnlib "
          f"peak extra memory in one epoch {r['peak_mib']:.1f} MiB ({r['data_mib']:.0f} MiB of "
          f"data); parameter dtypes after training: {', '.join(r['dtypes'])}")


if __name__ == "__main__":
    main()
