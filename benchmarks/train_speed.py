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

    python benchmarks/train_speed.py [--rounds 5] [--samples 60000]
"""

import argparse
import os
import statistics
import time
import tracemalloc

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

def nnlib_trainer(X, y):
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


def available():
    contestants = {"nnlib": nnlib_trainer, "numpy loop": numpy_trainer}
    for name, module, trainer in (("PyTorch (CPU)", "torch", torch_trainer),
                                  ("scikit-learn", "sklearn", sklearn_trainer)):
        try:
            __import__(module)
            contestants[name] = trainer
        except ImportError:
            print(f"{name}: skipped, `import {module}` failed (`make bench` installs it with "
                  f"the bench extra of pyproject.toml)")
    contestants["matmul floor"] = floor_trainer
    return contestants


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="epochs timed per contestant")
    parser.add_argument("--samples", type=int, default=60_000)
    args = parser.parse_args(argv)

    X, y = make_data(args.samples)
    load_before = os.getloadavg()[0]
    contestants = {name: make(X, y) for name, make in available().items()}
    times = {name: [] for name in contestants}
    for name, epoch in contestants.items():  # one warm-up epoch each, not timed
        epoch()
    order = np.random.default_rng(0)
    for _ in range(args.rounds):
        for name in order.permutation(list(contestants)):
            start = time.perf_counter()
            contestants[name]()
            times[name].append(time.perf_counter() - start)

    load_after = os.getloadavg()[0]
    gemm = gemm_gflops()
    work = flops_per_epoch(args.samples) / 1e9
    base = statistics.median(times["nnlib"])
    print(f"\n{args.samples} samples, 784-256-10 MLP, ReLU, softmax cross-entropy, SGD, batch "
          f"{BATCH}, float32; median of {args.rounds} interleaved epochs; {os.cpu_count()} "
          f"cores, load average {load_before:.1f} before and {load_after:.1f} after (more "
          f"than the cores: other work shared them, so take the ratios with care)\n")
    print(f"{'library':<16}{'s/epoch':>10}{'nnlib ÷ it':>12}{'GFLOP/s':>10}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<16}{med:>10.3f}{base / med:>12.2f}{work / med:>10.1f}")
    print(f"\nnumpy GEMM (128×784 @ 784×256, float32): {gemm:.1f} GFLOP/s; nnlib reaches "
          f"{work / base / gemm:.0%} of it")
    peak, dtypes = peak_memory(X, y)
    print(f"nnlib peak extra memory in one epoch: {peak / 2**20:.1f} MiB "
          f"({peak / X.nbytes:.2f}× the {X.nbytes / 2**20:.0f} MiB of data); "
          f"parameter dtypes after training: {', '.join(sorted(dtypes))}")
    targets = [("nnlib ≤ 1.0 × numpy loop", base <= statistics.median(times["numpy loop"]))]
    if "PyTorch (CPU)" in times:
        targets.append(("nnlib ≤ 0.8 × PyTorch",
                        base <= 0.8 * statistics.median(times["PyTorch (CPU)"])))
    if "scikit-learn" in times:
        targets.append(("nnlib ≤ 0.8 × scikit-learn",
                        base <= 0.8 * statistics.median(times["scikit-learn"])))
    targets.append(("peak memory ≤ 2 × data", peak <= X.nbytes))
    targets.append(("float32 end to end", dtypes == {"float32"}))
    print("\n" + "\n".join(f"  {'met ' if ok else 'MISSED'}  {t}" for t, ok in targets))


if __name__ == "__main__":
    main()
