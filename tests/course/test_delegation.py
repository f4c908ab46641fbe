"""An answer that hands its exercise to the course's own implementation: the learner's check and
the grader agree (issue 23, item 1; one exercise definition serves both). For every exercise of
the registry, the answer ``f = <the registry's .reference>`` is refused by the notebook's check
with the message naming the course function, and scores 0 when graded in the real sandbox; the
rule is the view's (``view.own_implementations``): another exercise's implementation is allowed.
"""

import contextlib
import io

import nbformat
import pytest

from nncourse.build.notebooks import NOTEBOOKS, SOLUTIONS, exercise_cells
from nncourse.checks import delegation, notebook, registry
from nncourse.grading import view
from nncourse.grading.grader import Limits, grade_many
from nncourse.grading.sandbox import isolation_available

EXERCISES = sorted(registry.load_all().values(), key=lambda e: e.id)
NOTEBOOK_NAMES = sorted({e.notebook for e in EXERCISES})
REFUSED = "the course's own implementation: when graded it scores 0"
LIMITS = Limits(cell_timeout=20, notebook_timeout=120, check_time=20, memory_mb=1024,
                processes=24, file_mb=8, output_mb=4)
# solved controls in the same batch: 02 (neuron uses sigmoid, allowed) and 04; every notebook's
# solution passes its own check cells under nbval (make test), where this hook is on
SOLVED = ("02_the_neuron", "04_cost")


def delegating(ex):
    """The answer cell: the exercise's function is the registry's reference, reached by import."""
    return (f"import importlib\n{ex.function} = importlib.import_module("
            f"'nncourse.checks.registry').by_name({ex.name!r}).reference\n")


def _check(ex, fn):
    with contextlib.redirect_stdout(io.StringIO()):
        notebook.run_and_report(ex.name, fn)
    return notebook.RESULTS[ex.id]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.id)
def test_the_notebook_check_refuses_the_course_implementation(ex):
    ns = {}
    exec(delegating(ex), ns)
    result = _check(ex, ns[ex.function])
    assert result["status"] == "failed" and not result["passed"]
    assert REFUSED in result["message"], result["message"]
    assert result["cases_passed"] == 0
    names = set(view.own_implementations(ex).values())
    assert any(n in result["message"] for n in names)


def test_another_exercises_implementation_is_allowed():
    """nb02's neuron may use nnlib's sigmoid (its own exercise's, not neuron's)."""
    ex = registry.by_name("neuron")
    ns = {}
    exec("import numpy as np\nfrom nnlib.activations import sigmoid\n"
         f"def neuron({', '.join(ex.arg_names)}):\n"
         f"    return sigmoid({ex.arg_names[0]} @ {ex.arg_names[1]} + {ex.arg_names[2]})\n", ns)
    assert _check(ex, ns["neuron"])["passed"]


def test_the_hook_is_off_outside_a_check():
    import sys
    from nnlib.losses import mse
    assert delegation._watch is None and sys.getprofile() is None
    ex = registry.by_name("mse")
    with delegation.watching(ex) as reached:
        mse([1.0], [2.0])          # the judge's own use of the reference: not the learner's
    assert reached == [] and sys.getprofile() is None


def _submission(name, answers):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    sol = nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4)
    solved = {ex.name: sol.cells[i].source for i, _, ex in exercise_cells(sol, name)}
    cells = exercise_cells(nb, name)
    for i, _, ex in cells:
        nb.cells[i].source = answers(ex) if answers else solved[ex.name]
    if answers:      # a delegating answer needs no other cell: only the answers, quick to grade
        nb.cells = [nb.cells[i] for i, _, _ in cells]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if isolation_available() is None:
        pytest.skip("needs bubblewrap (apt-get install bubblewrap)")
    folder = tmp_path_factory.mktemp("delegation")
    paths = {}
    subs = [("delegating", name, delegating) for name in NOTEBOOK_NAMES]
    subs += [("solved", name, None) for name in SOLVED]
    for kind, name, answers in subs:
        path = folder / kind / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(nbformat.writes(_submission(name, answers)), encoding="utf-8")
        paths[kind, name] = path
    reports = grade_many(list(paths.values()), seed=1234, limits=LIMITS, jobs=2)
    return {key: r.to_json() for key, r in zip(paths, reports)}


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_the_grader_gives_the_same_0(graded, name):
    rows = graded["delegating", name]["exercises"]
    assert len(rows) == sum(e.notebook == name for e in EXERCISES)
    assert all(r["points"] == 0 and "course's own implementation" in r["message"]
               for r in rows), [(r["id"], r["points"], r["message"][:200]) for r in rows]


@pytest.mark.parametrize("name", SOLVED)
def test_the_solutions_keep_their_marks_in_the_same_batch(graded, name):
    solved = graded["solved", name]["exercises"]
    assert all(r["points"] == r["max_points"] for r in solved), [
        (r["id"], r["message"][:200]) for r in solved if r["points"] != r["max_points"]]


# --- tripwires: course code other cells need that is the answer while the answer is judged ---
# Each answer hands its exercise to nnlib code that the view cannot stub, because the notebook's
# other cells (a demo's fit, nb12's own training) need it working: the exercise's tripwires
# (``Exercise.tripwires``). Each scores 0 in the real sandbox and is refused by the check.
TRIP_ROUTES = {
    "train_ssr_via_fit": ("07_sigmoid_vs_relu", "train_ssr", (
        "from nnlib.train import fit\n"
        "def train_ssr(network, X, y, lr, epochs):\n"
        "    return fit(network, X, y, cost='ssr', optimizer='sgd', lr=lr, epochs=epochs)['cost']\n")),
    "train_ssr_via_train_step": ("07_sigmoid_vs_relu", "train_ssr", (
        "import nnlib\n"
        "def train_ssr(network, X, y, lr, epochs):\n"
        "    opt = nnlib.optimizers.SGD(network.parameters(), lr=lr)\n"
        "    return [nnlib.train.train_step(network, opt, X, y, cost='ssr')[0]\n"
        "            for _ in range(epochs)]\n")),
    "train_ssr_via_backprop": ("07_sigmoid_vs_relu", "train_ssr", (
        "from nnlib.objective import backprop\n"
        "def train_ssr(network, X, y, lr, epochs):\n"
        "    history = []\n"
        "    for _ in range(epochs):\n"
        "        network.zero_grad()\n"
        "        history.append(backprop(network, X, y, 'ssr')[0])\n"
        "        for p in network.parameters():\n"
        "            p.value -= lr * p.grad\n"
        "    return history\n")),
    "train_step_via_nnlib": ("08_capstone_digits", "train_step", (
        "import importlib\n"
        "def train_step(network, optimizer, X, y):\n"
        "    t = importlib.import_module('nnlib.' + 'train')\n"
        "    return float(t.train_step(network, optimizer, X, y, "
        "cost='categorical_cross_entropy')[0])\n")),
    "train_step_via_fit_one_epoch": ("08_capstone_digits", "train_step", (
        "from nnlib import fit\n"
        "def train_step(network, optimizer, X, y):\n"
        "    return fit(network, X, y, cost='categorical_cross_entropy', optimizer=optimizer,\n"
        "               epochs=1)['cost'][0]\n")),
    "train_step_via_backprop": ("08_capstone_digits", "train_step", (
        "from nnlib.objective import backprop\n"
        "def train_step(network, optimizer, X, y):\n"
        "    optimizer.zero_grad()\n"
        "    cost, _ = backprop(network, X, y, 'categorical_cross_entropy')\n"
        "    optimizer.step()\n"
        "    return cost\n")),
    "minibatches_via_nnlib": ("12_your_own_network", "minibatches", (
        "import nnlib.train\n"
        "def minibatches(N, batch_size, rng):\n"
        "    return list(nnlib.train.minibatches(N, batch_size, rng))\n")),
    "minibatches_via_fit": ("12_your_own_network", "minibatches", (
        "import numpy as np\nfrom nnlib import fit\nfrom nnlib.optimizers import SGD\n"
        "from nnlib.layers import Parameter\n"
        "class Recorder:\n"
        "    output_activation, dense_layers = 'identity', []\n"
        "    def __init__(self):\n        self.batches, self.p = [], Parameter(np.zeros(1), 'p')\n"
        "    def forward(self, X, training=True):\n"
        "        self.batches.append(X[:, 0].astype(np.int64))\n        return X * 0.0\n"
        "    def backward(self, dout, start=None):\n        return None\n"
        "    def parameters(self):\n        return [self.p]\n"
        "def minibatches(N, batch_size, rng):\n"
        "    net = Recorder()\n"
        "    fit(net, np.arange(N, dtype=float)[:, None], np.zeros((N, 1)),\n"
        "        optimizer=SGD(net.parameters(), lr=1.0),\n"
        "        epochs=1, batch_size=batch_size, rng=rng)\n"
        "    return net.batches\n")),
    "train_via_fit": ("12_your_own_network", "train", (
        'import importlib\n'
        'import numpy as np\n'
        'def train(params, X, Y, epochs, batch_size, lr, seed, l2=0.0):\n'
        "    nn = importlib.import_module('nn' + 'lib')\n"
        '    L, layers = len(params) // 2, []\n'
        '    for l in range(L):\n'
        '        layers += [nn.Dense.from_arrays(params[2 * l], params[2 * l + 1]),\n'
        "                   nn.Activation('relu' if l < L - 1 else 'softmax')]\n"
        '    net = nn.Network(layers)\n'
        "    history = nn.fit(net, X, Y, cost='categorical_cross_entropy', epochs=epochs,\n"
        '                     optimizer=nn.Adam(net.parameters(), lr=lr), batch_size=batch_size,\n'
        '                     rng=np.random.default_rng(seed), l2=l2)\n'
        "    return [p.value.copy() for p in net.parameters()], history['cost']\n"
    )),
    "choose_via_fit": ("12_your_own_network", "choose", (
        'import importlib\n'
        'import numpy as np\n'
        'def choose(configs, X_train, Y_train, X_val, y_val, seed):\n'
        "    nn = importlib.import_module('nn' + 'lib')\n"
        '    scores = []\n'
        '    for config in configs:\n'
        "        sizes = [X_train.shape[1], *config['hidden'], Y_train.shape[1]]\n"
        "        net = nn.Network.from_sizes(sizes, activation='relu', output='softmax',\n"
        '                                    rng=np.random.default_rng(seed))\n'
        "        nn.fit(net, X_train, Y_train, cost='categorical_cross_entropy',\n"
        "               optimizer=nn.Adam(net.parameters(), lr=config['lr']), epochs=config['epochs'],\n"
        "               batch_size=32, rng=np.random.default_rng(seed + 1), l2=config['l2'])\n"
        '        scores.append(float(np.mean(net.predict(X_val).argmax(axis=1) == y_val)))\n'
        '    return int(np.argmax(scores)), scores\n'
    )),
    "dense_forward_via_Dense": ("03_forward_propagation", "dense_forward", (
        "from nnlib.layers import Dense\n"
        "def dense_forward(X, W, b):\n"
        "    return Dense.from_arrays(W, b).forward(X)\n")),
    "dense_forward_via_plain": ("03_forward_propagation", "dense_forward", (
        "import numpy as np\nfrom nnlib import plain\n"
        "def dense_forward(X, W, b):\n"
        "    X, W, b = np.asarray(X), np.asarray(W), np.asarray(b)\n"
        "    out = plain.dense_forward(X.tolist(), W.tolist(), b.tolist())\n"
        "    return np.array(out, dtype=np.result_type(X, W, b)).reshape(len(X), W.shape[1])\n")),
    "forward_via_Dense_and_Activation": ("03_forward_propagation", "forward", (
        "from nnlib.layers import Activation, Dense\n"
        "def forward(X, layers):\n"
        "    A = X\n"
        "    for W, b, name in layers:\n"
        "        A = Activation(name).forward(Dense.from_arrays(W, b).forward(A))\n"
        "    return A\n")),
    "early_stopping_via_EarlyStopping": ("09_generalization", "early_stopping_epochs", (
        "from nnlib.callbacks import EarlyStopping\n"
        "def early_stopping_epochs(val_costs, patience):\n"
        "    stop, history = EarlyStopping(patience=patience, restore_best=False), {'val_cost': []}\n"
        "    for epoch, cost in enumerate(val_costs, start=1):\n"
        "        history['val_cost'].append(cost)\n"
        "        if stop(epoch, history):\n"
        "            return stop.best_epoch, epoch\n"
        "    return stop.best_epoch, None\n")),
    # another notebook's course version of the same computation (its check module: a stub in
    # every other notebook's view, so these are not tripwires but stubs)
    "softmax_via_nb12": ("03_forward_propagation", "softmax", (
        "import importlib\n"
        "def softmax(Z):\n"
        "    return importlib.import_module('nncourse.checks.nb' + '12')._softmax(Z)\n")),
    "adam_update_via_nb12": ("06_optimizers", "adam_update", (
        "import numpy as np\nfrom nncourse.checks import registry\n"
        "def adam_update(w, dw, state, lr, beta1, beta2, eps):\n"
        "    step = registry.by_name('adam_step').reference\n"
        "    t = state.get('t', 0) + 1\n"
        "    w, m, v = step(w, dw, state.get('m', np.zeros_like(w)), state.get('v', np.zeros_like(w)),\n"
        "                   t, lr, beta1, beta2, eps)\n"
        "    state.update(t=t, m=m, v=v)\n"
        "    return w\n")),
    # found by the survey: nnlib code that computes an exercise's answer by another route
    "weighted_sum_via_Dense": ("02_the_neuron", "weighted_sum", (
        "import numpy as np\nfrom nnlib.layers import Dense\n"
        "def weighted_sum(X, w, b):\n"
        "    return Dense.from_arrays(np.reshape(w, (-1, 1)), np.reshape(b, 1)).forward(X)[:, 0]\n")),
    "neuron_via_Network": ("02_the_neuron", "neuron", (
        "import numpy as np\nfrom nnlib import Activation, Dense, Network\n"
        "def neuron(X, w, b):\n"
        "    net = Network([Dense.from_arrays(np.reshape(w, (-1, 1)), np.reshape(b, 1)),\n"
        "                   Activation('sigmoid')])\n"
        "    return net.forward(X)[:, 0]\n")),
    "dense_forward_plain_via_Dense": ("03_forward_propagation", "dense_forward_plain", (
        "from nnlib.activations import as_float\nfrom nnlib.layers import Dense\n"
        "def dense_forward_plain(X, W, b):\n"
        "    return Dense.from_arrays(W, b).forward(as_float(X)).tolist()\n")),
    "mse_via_per_sample_loss": ("04_cost", "mse", (
        "from nnlib.losses import squared_error_loss\n"
        "def mse(y, y_hat):\n    return squared_error_loss(y, y_hat).mean()\n")),
    "cce_via_per_sample_loss": ("04_cost", "categorical_cross_entropy", (
        "from nnlib import losses\n"
        "def categorical_cross_entropy(y, y_hat):\n"
        "    return losses.categorical_cross_entropy_loss(y, y_hat).mean()\n")),
    "relu_derivative_via_leaky": ("05_backpropagation", "relu_derivative", (
        "from nnlib.activations import leaky_relu_derivative\n"
        "def relu_derivative(Z):\n    return leaky_relu_derivative(Z, 0.0)\n")),
    "adam_step_via_Adam": ("12_your_own_network", "adam_step", (
        "import numpy as np\nfrom nnlib.optimizers import Adam\n"
        "def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    w, m, v = np.array(w), np.array(m), np.array(v)\n"
        "    opt = Adam([w], lr=lr, beta1=beta1, beta2=beta2, eps=eps)\n"
        "    opt.update(w, np.asarray(dw), {'t': t - 1, 'm': m, 'v': v})\n"
        "    return w, m, v\n")),
    "network_forward_via_Network": ("12_your_own_network", "forward", (
        "from nnlib import Activation, Dense, Network\n"
        "def forward(params, X):\n"
        "    L = len(params) // 2\n"
        "    layers = []\n"
        "    for l in range(L):\n"
        "        layers += [Dense.from_arrays(params[2 * l], params[2 * l + 1]),\n"
        "                   Activation('relu' if l < L - 1 else 'softmax')]\n"
        "    y_hat = Network(layers).forward(X)\n"
        "    return y_hat, [(d.X, a.Z) for d, a in zip(layers[0::2], layers[1::2])]\n")),
}
# solved controls in the tripwire batch: their other cells run nnlib's fit (07, 12), whose
# minibatches and train_step are tripwires there, and keep every mark
TRIP_SOLVED = ("07_sigmoid_vs_relu", "12_your_own_network")


def _trip_exercise(route):
    name, function, _ = TRIP_ROUTES[route]
    return next(e for e in EXERCISES if e.notebook == name and e.function == function)


def test_every_tripwire_names_code_that_exists():
    """A tripwire is a dotted name of a function, method or class of nnlib or nncourse."""
    for ex in EXERCISES:
        for name in ex.tripwires:
            assert view._functions(view._resolve(name), set()), (ex.id, name)


@pytest.mark.parametrize("route", sorted(TRIP_ROUTES))
def test_the_notebook_check_refuses_a_tripwire(route):
    ex = _trip_exercise(route)
    ns = {}
    exec(TRIP_ROUTES[route][2], ns)
    result = _check(ex, ns[ex.function])
    assert not result["passed"] and REFUSED in result["message"], result["message"]
    assert result["cases_passed"] == 0


def test_a_tripwire_outside_the_answer_is_not_the_learners():
    """The judge's own use of fit (the reference of train_ssr is fit) is not refused: only
    while the learner's function runs does a tripwire count."""
    ex = registry.by_name("train_ssr")
    with delegation.watching(ex) as reached:
        from nnlib import Network, fit
        import numpy as np
        net = Network.from_sizes([2, 2, 1], rng=np.random.default_rng(0))
        fit(net, np.ones((4, 2)), np.ones((4, 1)), cost="ssr", epochs=2, lr=0.01)
    assert reached == []


@pytest.fixture(scope="module")
def tripped(tmp_path_factory):
    if isolation_available() is None:
        pytest.skip("needs bubblewrap (apt-get install bubblewrap)")
    folder = tmp_path_factory.mktemp("tripwires")
    paths = {}
    for route, (name, _, source) in TRIP_ROUTES.items():
        ex = _trip_exercise(route)
        # only the attacked answer (the others "pass"): quick to grade
        paths[route] = (name, _submission(name, lambda e: source if e.id == ex.id else "pass"))
    for name in TRIP_SOLVED:
        paths[f"solved {name}"] = (name, _submission(name, None))
    files = []
    for key, (name, nb) in paths.items():
        path = folder / key.replace(" ", "_") / f"{name}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(nbformat.writes(nb), encoding="utf-8")
        files.append(path)
    reports = grade_many(files, seed=1234, limits=LIMITS, jobs=2)
    return {key: r.to_json() for key, r in zip(paths, reports)}


@pytest.mark.parametrize("route", sorted(TRIP_ROUTES))
def test_a_tripwire_reached_by_the_answer_scores_0(tripped, route):
    ex = _trip_exercise(route)
    report = tripped[route]
    row = next(r for r in report["exercises"] if r["id"] == ex.id)
    assert row["points"] == 0 and "course's own implementation" in row["message"], row
    assert ex.id in report["copied_reference"], report


@pytest.mark.parametrize("name", TRIP_SOLVED)
def test_legitimate_uses_of_a_tripwire_keep_every_mark(tripped, name):
    report = tripped[f"solved {name}"]
    assert report["score"] == report["max_score"] > 0, [
        (r["id"], r["message"][:200]) for r in report["exercises"] if not r["passed"]]
    assert report["cell_errors"] == [], report["cell_errors"]


# A tripwire's body runs only where the worker's audit hook sees it: in another interpreter
# or a forked process it raises, so these score 0 too (as an error: the notebook's kernel
# does not watch other processes, so there the check cannot refuse them)
ELSEWHERE = {
    "minibatches_in_a_subprocess": (
        "import pickle, subprocess, sys\n"
        "CODE = ('import pickle, sys, nnlib.train as t; N, bs, rng = pickle.load(sys.stdin.buffer); '\n"
        "        'sys.stdout.buffer.write(pickle.dumps((list(t.minibatches(N, bs, rng)), rng)))')\n"
        "def minibatches(N, batch_size, rng):\n"
        "    done = subprocess.run([sys.executable, '-c', CODE], capture_output=True, check=True,\n"
        "                          input=pickle.dumps((N, batch_size, rng)))\n"
        "    out, after = pickle.loads(done.stdout)\n"
        "    rng.bit_generator.state = after.bit_generator.state\n"
        "    return out\n"),
    "minibatches_in_a_fork": (
        "import os, pickle, nnlib.train\n"
        "def minibatches(N, batch_size, rng):\n"
        "    r, w = os.pipe()\n"
        "    if os.fork() == 0:\n"
        "        try:\n"
        "            os.write(w, pickle.dumps((list(nnlib.train.minibatches(N, batch_size, rng)), rng)))\n"
        "        finally:\n"
        "            os._exit(0)\n"
        "    os.close(w)\n"
        "    data = b''\n"
        "    while chunk := os.read(r, 65536):\n"
        "        data += chunk\n"
        "    os.wait()\n"
        "    out, after = pickle.loads(data)\n"
        "    rng.bit_generator.state = after.bit_generator.state\n"
        "    return out\n"),
}


def test_a_tripwire_in_another_process_runs_nothing(tmp_path):
    if isolation_available() is None:
        pytest.skip("needs bubblewrap (apt-get install bubblewrap)")
    name = "12_your_own_network"
    ex = registry.by_name("minibatches")
    files = []
    for route, source in ELSEWHERE.items():
        ns = {}
        exec(source, ns)        # in the learner's kernel the answer works
        import numpy as np
        from nnlib.train import minibatches
        got = ns["minibatches"](10, 4, np.random.default_rng(0))
        assert [list(b) for b in got] == [list(b) for b in minibatches(10, 4, np.random.default_rng(0))]
        path = tmp_path / route / f"{name}.ipynb"
        path.parent.mkdir()
        nb = _submission(name, lambda e: source if e.id == ex.id else "pass")
        path.write_text(nbformat.writes(nb), encoding="utf-8")
        files.append(path)
    for route, report in zip(ELSEWHERE, grade_many(files, seed=1234, limits=LIMITS, jobs=2)):
        row = next(r for r in report.to_json()["exercises"] if r["id"] == ex.id)
        assert row["points"] == 0, (route, row)


def test_tripwires_hold_without_bubblewrap(tmp_path):
    """Without a sandbox the worker imports the same view (first on its path): a tripwire and
    another notebook's course version still score 0 (isolation "none", as Gradescope's user
    mode)."""
    routes = ("train_step_via_fit_one_epoch", "softmax_via_nb12")
    files = []
    for route in routes:
        name, _, source = TRIP_ROUTES[route]
        ex = _trip_exercise(route)
        path = tmp_path / route / f"{name}.ipynb"
        path.parent.mkdir()
        nb = _submission(name, lambda e: source if e.id == ex.id else "pass")
        path.write_text(nbformat.writes(nb), encoding="utf-8")
        files.append(path)
    for route, report in zip(routes, grade_many(files, seed=1234, limits=LIMITS, jobs=2,
                                                isolation="none")):
        row = next(r for r in report.to_json()["exercises"] if r["id"] == _trip_exercise(route).id)
        assert row["points"] == 0 and "course's own implementation" in row["message"], row
