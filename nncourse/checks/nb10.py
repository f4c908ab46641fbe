"""Checks for notebook 10, autograd: a scalar ``Value``, its topological order, backprop, and the
2-2-2 network as a graph.

This module also holds the course's tested ``Value`` (the reference the checks compare with;
the notebook carries on with it after each exercise), a plain-float evaluator of expression
specs for finite differences, and ``plot_graph``, the picture of a graph with each node's value
and gradient.

Learner code is reached only through drivers (``drive_*``): module-level functions that build
``Value`` graphs from *expression specs*, plain nested tuples such as
``("mul", ("var", "x1"), ("const", 2.0))``, call the learner's class or function, and return
plain numbers. Known mistakes are replayed through the same drivers (outside the learner's
kernel) and named when their output equals the learner's.
"""

import math

import numpy as np

from nnlib import activations, examples, losses
from nnlib.layers import Activation, Dense
from nnlib.network import Network
from nncourse.checks.judging import problem
from nncourse.checks.registry import Case, Mistake, exercise

NOTEBOOK = "10_autograd"


# --- the course's Value -----------------------------------------------------------------------

class ValueBase:
    """What every ``Value`` shares: the data, the gradient, the graph links, and the operations
    built from the primitive ones (``-a``, ``a - b``, ``a / b``, and numbers on the left)."""

    def __init__(self, data, children=(), op="", label=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None   # set by the operation that made this Value
        self._prev = tuple(children)    # the Values it was made from
        self._op = op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1.0

    def __rtruediv__(self, other):
        return self ** -1.0 * other

    def backward(self):
        """Fill ``grad`` of every Value this one was made from (this one's own grad is 1)."""
        backprop(self)


class Value(ValueBase):
    """A number that remembers how it was made: each operation's result gets a ``_backward``
    that adds the result's gradient, times the local derivative, into its inputs' ``grad``."""

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, n):
        out = Value(self.data ** n, (self,), f"**{n:g}")

        def _backward():
            self.grad += n * self.data ** (n - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        out = Value(float(activations.sigmoid(np.float64(self.data))), (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (1 - out.data) * out.grad
        out._backward = _backward
        return out


def topological_order(root):
    """Every Value ``root`` depends on, once each, every Value after the Values it was made
    from (so ``root`` comes last): a depth-first search that adds a node after its children."""
    order, visited = [], set()

    def visit(node):
        if id(node) not in visited:
            visited.add(id(node))
            for child in node._prev:
                visit(child)
            order.append(node)
    visit(root)
    return order


def backprop(root):
    """∂root/∂node into every node's ``grad``: seed ``root.grad = 1``, then call each node's
    ``_backward`` from the root down (the topological order, reversed)."""
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        node._backward()


# --- expression specs -------------------------------------------------------------------------

UNARY = ("exp", "tanh", "relu", "sigmoid")


def build(spec, cls, variables=None, labels=None):
    """The graph of ``spec`` made with the class ``cls``. Identical sub-specs become one node
    (so a spec can share nodes); ``variables`` maps a name to its value. Returns the root and
    ``{id(node): label}`` for every node built here (variables keep their names, the others
    are called n1, n2, ... in the order they were made)."""
    variables = variables or {}
    labels = {} if labels is None else labels
    made = {}

    def make(s):
        if s in made:
            return made[s]
        kind = s[0]
        if kind == "var":
            node = cls(variables[s[1]])
            name = s[1]
        elif kind == "const":
            node = cls(s[1])
            name = f"{s[1]:g}"
        elif kind == "add":
            node, name = make(s[1]) + make(s[2]), None
        elif kind == "mul":
            node, name = make(s[1]) * make(s[2]), None
        elif kind == "pow":
            node, name = make(s[1]) ** s[2], None
        elif kind in UNARY:
            node, name = getattr(make(s[1]), kind)(), None
        else:
            raise ValueError(f"unknown spec {kind!r}")
        if id(node) not in labels:
            labels[id(node)] = name or f"n{sum(1 for v in labels.values() if v[:1] == 'n') + 1}"
        made[s] = node
        return node
    return make(spec), labels


def evaluate(spec, variables):
    """The value of ``spec`` in plain floats (for finite differences)."""
    kind = spec[0]
    if kind == "var":
        return float(variables[spec[1]])
    if kind == "const":
        return float(spec[1])
    if kind == "add":
        return evaluate(spec[1], variables) + evaluate(spec[2], variables)
    if kind == "mul":
        return evaluate(spec[1], variables) * evaluate(spec[2], variables)
    if kind == "pow":
        return evaluate(spec[1], variables) ** spec[2]
    x = evaluate(spec[1], variables)
    return {"exp": math.exp, "tanh": math.tanh, "relu": lambda v: max(v, 0.0),
            "sigmoid": lambda v: float(activations.sigmoid(np.float64(v)))}[kind](x)


def finite_differences(spec, variables, h=1e-6):
    """Centered differences of ``spec`` for each variable, in sorted name order."""
    grads = []
    for name in sorted(variables):
        up, down = dict(variables), dict(variables)
        up[name] += h
        down[name] -= h
        grads.append((evaluate(spec, up) - evaluate(spec, down)) / (2 * h))
    return np.array(grads)


def show_spec(spec):
    """A spec as a formula, e.g. ``tanh(x1 * 2)``."""
    kind = spec[0]
    if kind == "var":
        return spec[1]
    if kind == "const":
        return f"{spec[1]:g}"
    if kind in ("add", "mul"):
        sign = " + " if kind == "add" else " * "
        return f"({show_spec(spec[1])}{sign}{show_spec(spec[2])})"
    if kind == "pow":
        return f"{show_spec(spec[1])}**{spec[2]:g}"
    return f"{kind}({show_spec(spec[1])})"


# --- exercise 1: the local derivatives --------------------------------------------------------

def drive_local(cls, op, xs, upstream):
    """One operation of the learner's class ``cls`` on Values made from the floats ``xs``
    (``"add_self"`` and ``"mul_self"`` use one Value twice); the result's grad is set to
    ``upstream`` and its ``_backward`` called once. Returns the result's data and each input's
    grad."""
    nodes = [cls(x) for x in xs]
    a = nodes[0]
    if op == "add":
        out = a + nodes[1]
    elif op == "mul":
        out = a * nodes[1]
    elif op == "add_self":
        out, nodes = a + a, [a]
    elif op == "mul_self":
        out, nodes = a * a, [a]
    elif op == "pow":
        out, nodes = a ** xs[1], [a]
    else:
        out = getattr(a, op)()
    out.grad = upstream
    out._backward()
    return {"data": float(out.data), "grads": np.array([float(n.grad) for n in nodes])}


def _local_expected(op, xs, upstream):
    """Expected input grads; the activations' local derivatives come from nnlib."""
    x = np.float64(xs[0])
    if op in ("tanh", "sigmoid", "relu"):
        d = getattr(activations, f"{op}_derivative")(np.array([x]))[0]
        return np.array([d * upstream])
    return drive_local(Value, op, xs, upstream)["grads"]


def local_cases(rng):
    u = float(np.round(rng.uniform(0.5, 2.0), 3))
    a, b = (float(v) for v in np.round(rng.uniform(-2, 2, 2), 3))
    return [
        ("a + b with a = 2, b = -3, upstream grad 1", "add", (2.0, -3.0), 1.0),
        ("a * b with a = 2, b = -3, upstream grad 1", "mul", (2.0, -3.0), 1.0),
        ("a * b with a = 2, b = -3, upstream grad 0.5", "mul", (2.0, -3.0), 0.5),
        ("a ** 3 with a = 2, upstream grad 1", "pow", (2.0, 3.0), 1.0),
        ("a.exp() with a = 0.5, upstream grad 2", "exp", (0.5,), 2.0),
        ("a.tanh() with a = 0.5, upstream grad 1", "tanh", (0.5,), 1.0),
        ("a.relu() with a = -1.5, upstream grad 1", "relu", (-1.5,), 1.0),
        ("a.relu() with a = 1.5, upstream grad 2", "relu", (1.5,), 2.0),
        ("a.sigmoid() with a = 0.5, upstream grad 1", "sigmoid", (0.5,), 1.0),
        ("a + a (one Value used twice) with a = 3, upstream grad 1", "add_self", (3.0,), 1.0),
        ("a * a (one Value used twice) with a = 3, upstream grad 1", "mul_self", (3.0,), 1.0),
        (f"a * b with random a = {a}, b = {b}, upstream grad {u}", "mul", (a, b), u),
        (f"a ** -1 with random a = {a}, upstream grad {u}", "pow", (a if abs(a) > 0.2 else 1.3,
                                                                     -1.0), u),
        (f"a.tanh() with random a = {b}, upstream grad {u}", "tanh", (b,), u),
        (f"a.sigmoid() with random a = {a}, upstream grad {u}", "sigmoid", (a,), u),
    ]


class _SwappedProduct(Value):
    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += self.data * out.grad
            other.grad += other.data * out.grad
        out._backward = _backward
        return out


class _NoUpstream(Value):
    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data
            other.grad += self.data
        out._backward = _backward
        return out


class _Overwrite(Value):
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad
            other.grad = out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        out._backward = _backward
        return out


class _PowNotLowered(Value):
    def __pow__(self, n):
        out = Value(self.data ** n, (self,), f"**{n:g}")

        def _backward():
            self.grad += n * self.data ** n * out.grad
        out._backward = _backward
        return out


class _TanhFromInput(Value):
    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - self.data ** 2) * out.grad
        out._backward = _backward
        return out


class _SigmoidAsDerivative(Value):
    def sigmoid(self):
        out = Value(float(activations.sigmoid(np.float64(self.data))), (self,), "sigmoid")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out


class _ReluAlwaysOpen(Value):
    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():
            self.grad += out.grad
        out._backward = _backward
        return out


class _ExpNoFactor(Value):
    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.grad
        out._backward = _backward
        return out


LOCAL_MISTAKES = [
    Mistake("product rule swapped",
            "in a * b each input's local derivative is the *other* input: ∂(ab)/∂a = b. You "
            "multiplied each input's grad by its own value.", _SwappedProduct),
    Mistake("upstream gradient dropped",
            "right when the upstream grad is 1, wrong otherwise: the chain rule multiplies the "
            "local derivative by out.grad, the gradient arriving from above.", _NoUpstream),
    Mistake("grad overwritten",
            "a Value used twice (a + a, a * a) must collect a contribution from each use: add "
            "into the grad with +=, don't assign it with =.", _Overwrite),
    Mistake("power rule exponent not lowered",
            "the power rule lowers the exponent by one: d(xⁿ)/dx = n·xⁿ⁻¹, not n·xⁿ.",
            _PowNotLowered),
    Mistake("tanh derivative from the input",
            "tanh'(x) = 1 − tanh(x)², the square of the *output* (out.data), not of the input "
            "self.data.", _TanhFromInput),
    Mistake("sigmoid derivative is the sigmoid",
            "σ'(x) = σ(x)·(1 − σ(x)): you multiplied by σ(x) alone; the factor (1 − out.data) "
            "is missing.", _SigmoidAsDerivative),
    Mistake("ReLU passes every gradient",
            "ReLU's slope is 1 where its input is positive and 0 where it is negative: the "
            "gradient must stop at a negative input (self.data < 0).", _ReluAlwaysOpen),
    Mistake("exp derivative forgotten",
            "d(eˣ)/dx = eˣ: multiply out.grad by the output itself, out.data.", _ExpNoFactor),
]


def _replay(driver, mistakes, got, args, rtol=1e-9, atol=1e-12):
    """The known mistakes whose replay through ``driver`` gives the learner's ``got``."""
    found = []
    for m in mistakes:
        try:
            with np.errstate(all="ignore"):
                wrong = driver(m.fn, *args)
        except Exception:
            continue
        if _same_plain(got, wrong, rtol, atol):
            found.append(m)
    return found


def _named(matching, value):
    """``matching`` as mistakes that ``ctx.compare`` recognises in ``value``."""
    return [Mistake(m.name, m.hint, lambda *a, v=value: v) for m in matching]


def _same_plain(a, b, rtol, atol):
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_plain(a[k], b[k], rtol, atol) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_plain(x, y, rtol, atol) for x, y in zip(a, b))
    try:
        return problem(a, np.asarray(b, dtype=np.float64) if isinstance(b, np.ndarray) else b,
                       rtol, atol, check_dtype=False) is None
    except Exception:
        return False


def _plain_dict(ctx, got, keys, description):
    if not isinstance(got, dict) or set(got) != set(keys):
        ctx.fail(f"✘ {ctx.name} — case {ctx.cases_total + 1}: {description}\n  problem:  the "
                 "driver expected your object to behave like a Value (got "
                 f"{type(got).__name__}). Did you change __init__ or return something that is "
                 "not a Value from an operation?")


@exercise(id="nb10_value_local", name="value_local_derivatives", notebook=NOTEBOOK, points=3,
          verifies="the local derivative of +, *, **, exp, tanh, ReLU, sigmoid, times the "
                   "upstream grad, accumulated with +=; activations agree with nnlib",
          reference=Value, mistakes=LOCAL_MISTAKES, function="Value")
def judge_local(cls, ctx):
    for description, op, xs, upstream in local_cases(ctx.rng):
        args = (op, xs, upstream)
        got = ctx.call(cls, *args, driver=drive_local, check_mutation=False)
        _plain_dict(ctx, got, ("data", "grads"), description)
        expected = drive_local(Value, *args)
        if problem(got["data"], expected["data"], 1e-12, 1e-12, False) is not None:
            ctx.compare(got["data"], expected["data"], Case(description + ": the result's data",
                                                            ()), [], rtol=1e-12, atol=1e-12)
        grads, want = got["grads"], _local_expected(*args)
        hints = _replay(drive_local, LOCAL_MISTAKES, got, args) \
            if problem(grads, want, 1e-9, 1e-12, False) else []
        ctx.compare(grads, want, Case(description + ": the inputs' grads", ()),
                    _named(hints, grads), rtol=1e-9, atol=1e-12, check_dtype=False)


# --- exercise 2: topological order ------------------------------------------------------------

def drive_topological(fn, spec, variables):
    """The spec's graph (the course's Value); the learner's order as node labels."""
    root, labels = build(spec, Value, variables)
    order = fn(root)
    return [labels.get(id(node), f"a {type(node).__name__} that is not in the graph")
            for node in order]


X3 = {"x1": 0.5, "x2": -1.5, "x3": 2.0}

TOPO_SPECS = [
    ("a single Value x1 (the graph is just the root)", ("var", "x1")),
    ("x1 * x2 + x3", ("add", ("mul", ("var", "x1"), ("var", "x2")), ("var", "x3"))),
    ("tanh(x1 * x2) * tanh(x1 * x2): the node tanh(x1 * x2) is used twice",
     ("mul", ("tanh", ("mul", ("var", "x1"), ("var", "x2"))),
      ("tanh", ("mul", ("var", "x1"), ("var", "x2"))))),
    ("(x1 + x2) * (x2 + x3) + x1 ** 2: x1 and x2 are used twice",
     ("add", ("mul", ("add", ("var", "x1"), ("var", "x2")), ("add", ("var", "x2"), ("var", "x3"))),
      ("pow", ("var", "x1"), 2.0))),
]


def _graph_edges(spec, variables):
    root, labels = build(spec, Value, variables)
    edges, nodes = [], topological_order(root)
    for node in nodes:
        edges += [(labels[id(node)], labels[id(c)]) for c in node._prev]
    return [labels[id(n)] for n in nodes], edges, labels[id(root)]


def _order_problem(got, spec, variables):
    expected, edges, root = _graph_edges(spec, variables)
    if not isinstance(got, list) or not all(isinstance(g, str) for g in got):
        return "return a list of the graph's Values"
    dup = sorted({g for g in got if got.count(g) > 1})
    if dup:
        return f"node {dup[0]} appears {got.count(dup[0])} times; each node must appear once"
    missing = [n for n in expected if n not in got]
    if missing:
        return f"{len(missing)} of the graph's {len(expected)} nodes are missing (first: " \
               f"{missing[0]})"
    extra = [g for g in got if g not in expected]
    if extra:
        return f"the list holds {extra[0]}"
    for parent, child in edges:
        if got.index(parent) < got.index(child):
            return f"{parent} comes before {child}, one of the Values it was made from"
    return None


def _topo_no_visited(root):
    order = []

    def visit(node):
        for child in node._prev:
            visit(child)
        order.append(node)
    visit(root)
    return order


def _topo_parents_first(root):
    return list(reversed(topological_order(root)))


def _topo_preorder(root):
    order, visited = [], set()

    def visit(node):
        if id(node) not in visited:
            visited.add(id(node))
            order.append(node)
            for child in node._prev:
                visit(child)
    visit(root)
    return order


def _topo_children_only(root):
    return list(root._prev) + [root]


def _topo_without_root(root):
    return topological_order(root)[:-1]


def _topo_visited_by_value(root):
    order, seen = [], set()

    def visit(node):
        if node.data not in seen:
            seen.add(node.data)
            for child in node._prev:
                visit(child)
            order.append(node)
    visit(root)
    return order


TOPO_MISTAKES = [
    Mistake("no visited set",
            "a node used twice was added twice: keep a set of the nodes already visited (e.g. "
            "of id(node)) and skip them.", _topo_no_visited),
    Mistake("parents first",
            "your list is the right one reversed: the root must come last, every node after "
            "the Values it was made from (backprop walks it backwards from the root).",
            _topo_parents_first),
    Mistake("node added before its children",
            "you appended each node before visiting its children (pre-order): append a node "
            "only after all of its children have been visited (post-order).", _topo_preorder),
    Mistake("not recursive",
            "only the root and its direct children are there: visit the children's children "
            "too, with a function that calls itself on each child.", _topo_children_only),
    Mistake("root left out",
            "everything but the root: the root belongs in the order too (it is the last "
            "node).", _topo_without_root),
    Mistake("visited by value",
            "two different nodes that hold the same number were taken for one: mark nodes as "
            "visited by identity (id(node) or the node itself), not by node.data.",
            _topo_visited_by_value),
]


@exercise(id="nb10_topological_order", name="topological_order", notebook=NOTEBOOK, points=2,
          verifies="every node once, each after the Values it was made from, the root last",
          reference=topological_order, mistakes=TOPO_MISTAKES)
def judge_topological(fn, ctx):
    specs = list(TOPO_SPECS)
    specs.append(("a random expression with shared nodes", random_spec(ctx.rng, depth=4)))
    specs.append(("(x1 * x3) + (x2 * x3) with x1 = x3 = 2.0: two nodes hold the same number 4",
                  ("add", ("mul", ("var", "x1"), ("var", "x3")),
                   ("mul", ("var", "x3"), ("var", "x3")))))
    for description, spec in specs:
        variables = dict(X3, x1=2.0) if "same number" in description else X3
        args = (spec, variables)
        got = ctx.call(fn, *args, driver=drive_topological, check_mutation=False)
        ctx.cases_total += 1
        why = _order_problem(got, spec, variables)
        if why is None:
            ctx.cases_passed += 1
            continue
        lines = [f"✘ {ctx.name} — case {ctx.cases_total}: {description}",
                 f"  graph:    {show_spec(spec)}",
                 f"  a right order: {_graph_edges(spec, variables)[0]}",
                 f"  got:      {got!r}"[:300],
                 f"  problem:  {why}"]
        hints = _replay(drive_topological, TOPO_MISTAKES, got, args)
        if hints:
            lines.append(f"  likely mistake: {hints[0].hint}")
        ctx.fail("\n".join(lines), mistake=hints[0] if hints else None)


# --- exercise 3: backprop ---------------------------------------------------------------------

def drive_backprop(fn, spec, variables):
    """The spec's graph (the course's Value) with every grad 0; the learner's ``fn(root)``;
    then the root's value and the variables' grads in sorted name order."""
    root, labels = build(spec, Value, variables)
    by_label = {}
    for node in topological_order(root):
        by_label[labels[id(node)]] = node
    fn(root)
    return {"value": float(root.data),
            "grads": np.array([float(by_label[name].grad) if name in by_label else 0.0
                               for name in sorted(variables)])}


def random_spec(rng, depth=3, names=("x1", "x2", "x3")):
    """A random expression over ``names`` with shared sub-expressions (the same leaf and the
    same small sub-expression appear more than once)."""
    ops = ("add", "mul", "pow", "exp", "tanh", "relu", "sigmoid")

    def make(d):
        if d == 0 or rng.random() < 0.2:
            if rng.random() < 0.2:
                return ("const", float(np.round(rng.uniform(-2, 2), 2)))
            return ("var", str(rng.choice(names)))
        op = str(rng.choice(ops))
        if op in ("add", "mul"):
            left = make(d - 1)
            right = left if rng.random() < 0.25 else make(d - 1)
            return (op, left, right)
        if op == "pow":
            return ("pow", make(d - 1), float(rng.choice([2.0, 3.0])))
        inner = make(d - 1)
        return (op, ("tanh", inner) if op == "exp" else inner)   # exp of a bounded number
    return make(depth)


def _relu_inputs(spec, variables):
    out = []
    if spec[0] == "relu":
        out.append(evaluate(spec[1], variables))
    for s in spec[1:]:
        if isinstance(s, tuple):
            out += _relu_inputs(s, variables)
    return out


def backprop_cases(rng):
    cases = [
        ("x1 * x2 + x3", ("add", ("mul", ("var", "x1"), ("var", "x2")), ("var", "x3"))),
        ("tanh(x1 * x2) * x1: x1 is used twice",
         ("mul", ("tanh", ("mul", ("var", "x1"), ("var", "x2"))), ("var", "x1"))),
        ("tanh(x1 * x2) * tanh(x1 * x2): one tanh node used twice",
         ("mul", ("tanh", ("mul", ("var", "x1"), ("var", "x2"))),
          ("tanh", ("mul", ("var", "x1"), ("var", "x2"))))),
        ("sigmoid(x1 * x2 + x3) ** 2 (a neuron's squared output)",
         ("pow", ("sigmoid", ("add", ("mul", ("var", "x1"), ("var", "x2")), ("var", "x3"))), 2.0)),
    ]
    while len(cases) < 8:
        spec = random_spec(rng, depth=4)
        variables = {n: float(np.round(v, 3)) for n, v in zip(X3, rng.uniform(-1.5, 1.5, 3))}
        if any(abs(z) < 1e-3 for z in _relu_inputs(spec, variables)):
            continue                          # finite differences fail at ReLU's corner
        if not any(s in str(spec) for s in ("'x1'", "'x2'", "'x3'")):
            continue
        cases.append((f"a random expression: {show_spec(spec)}"[:160], spec, variables))
    return [c if len(c) == 3 else (c[0], c[1], X3) for c in cases]


def _backprop_no_seed(root):
    for node in reversed(topological_order(root)):
        node._backward()


def _backprop_root_only(root):
    root.grad = 1.0
    root._backward()


def _backprop_seed_everywhere(root):
    for node in reversed(topological_order(root)):
        node.grad = 1.0
        node._backward()


def _backprop_seed_data(root):
    root.grad = root.data
    for node in reversed(topological_order(root)):
        node._backward()


def _backprop_no_visited(root):
    root.grad = 1.0
    for node in reversed(_topo_no_visited(root)):
        node._backward()


BACKPROP_MISTAKES = [
    Mistake("no seed",
            "every gradient is 0: start with root.grad = 1.0 (∂root/∂root = 1); every other "
            "gradient is that 1 times local derivatives.", _backprop_no_seed),
    Mistake("root only, or forward order",
            "only the root's own inputs got a gradient: either only the root's _backward ran, "
            "or the nodes ran in the topological order itself, where each node comes before "
            "the nodes that pass it its gradient. Call _backward on every node, in the "
            "topological order reversed (from the root down).", _backprop_root_only),
    Mistake("every node seeded",
            "only the root's grad is set to 1; every other grad is built up by the _backward "
            "calls above it. Setting node.grad = 1.0 on every node throws that away.",
            _backprop_seed_everywhere),
    Mistake("seeded with the root's value",
            "the gradients are off by the factor root.data: the seed is ∂root/∂root = 1.0, "
            "whatever the root's value.", _backprop_seed_data),
    Mistake("shared nodes visited twice",
            "a node used twice passed its gradient down twice: each node's _backward must run "
            "exactly once, so build the order with a visited set (topological_order).",
            _backprop_no_visited),
]


@exercise(id="nb10_backprop", name="backprop", notebook=NOTEBOOK, points=2,
          verifies="gradients of fixed and random expressions, shared nodes included, "
                   "against centered finite differences",
          reference=backprop, mistakes=BACKPROP_MISTAKES)
def judge_backprop(fn, ctx):
    for description, spec, variables in backprop_cases(ctx.rng):
        args = (spec, variables)
        got = ctx.call(fn, *args, driver=drive_backprop, check_mutation=False)
        _plain_dict(ctx, got, ("value", "grads"), description)
        numeric = finite_differences(spec, variables)
        case = Case(f"{description}, at {', '.join(f'{k} = {v:g}' for k, v in variables.items())}"
                    ": the grads of x1, x2, x3 (expected: centered finite differences)", ())
        hints = []
        if problem(got["grads"], numeric, 1e-5, 1e-7, False) is not None:
            hints = _replay(drive_backprop, BACKPROP_MISTAKES, got, args, 1e-9, 1e-12)
        ctx.compare(got["grads"], numeric, case, _named(hints, got["grads"]), rtol=1e-5, atol=1e-7, check_dtype=False)


# --- exercise 4: the 2-2-2 network as a graph -------------------------------------------------

HAND_222 = {   # notebook 05's hand-worked gradients of the 2-2-2 network, 5 decimals
    "cost": 0.1939,      # (4 decimals in notebook 05)
    "W1": [[-0.01492, 0.0081], [0.01492, -0.0081]], "b1": [-0.02984, 0.01621],
    "W2": [[-0.04743, 0.05994], [-0.03807, 0.04811]], "b2": [-0.09485, 0.11988],
}
PARAMS = ("W1", "b1", "W2", "b2")


def drive_mlp_cost(fn, X, Y, W1, b1, W2, b2):
    """Wrap the parameters in the course's Values, call the learner's
    ``fn(X, Y, W1, b1, W2, b2)`` (X, Y nested lists of floats), backprop from the cost it
    returns, and give back the cost and every parameter's grad as arrays."""
    wrap = {"W1": [[Value(w) for w in row] for row in W1], "b1": [Value(b) for b in b1],
            "W2": [[Value(w) for w in row] for row in W2], "b2": [Value(b) for b in b2]}
    cost = fn([list(map(float, r)) for r in X], [list(map(float, r)) for r in Y],
              wrap["W1"], wrap["b1"], wrap["W2"], wrap["b2"])
    backprop(cost)
    out = {"cost": float(cost.data)}
    for name, value in wrap.items():
        grads = [[v.grad for v in row] for row in value] if name[0] == "W" else \
            [v.grad for v in value]
        out[name] = np.array(grads, dtype=np.float64)
    return out


def nnlib_mlp(X, Y, W1, b1, W2, b2):
    """The same cost and gradients from nnlib's layer-wise backward pass."""
    net = Network([Dense.from_arrays(np.array(W1), np.array(b1)), Activation("sigmoid"),
                   Dense.from_arrays(np.array(W2), np.array(b2)), Activation("sigmoid")])
    Xa, Ya = np.array(X, dtype=np.float64), np.array(Y, dtype=np.float64)
    y_hat = net.forward(Xa)
    net.backward(losses.mse_grad(Ya, y_hat))
    out = {"cost": float(losses.mse(Ya, y_hat))}
    for name, (_, p) in zip(PARAMS, net.named_parameters()):
        out[name] = p.grad.copy()
    return out


def mlp_cost(X, Y, W1, b1, W2, b2):
    """The reference: Dense → sigmoid → Dense → sigmoid, MSE over all N·K entries, in Values."""
    total, count = 0.0, 0
    for x, y in zip(X, Y):
        hidden = [sum((x[i] * W1[i][j] for i in range(len(x))), b1[j]).sigmoid()
                  for j in range(len(b1))]
        for k in range(len(b2)):
            a = sum((hidden[j] * W2[j][k] for j in range(len(hidden))), b2[k]).sigmoid()
            total = total + (a - y[k]) ** 2
            count += 1
    return total / count


def _mlp(X, Y, W1, b1, W2, b2, cost="mean", bias=True, out_sigmoid=True, transposed=False):
    values = []
    for x, y in zip(X, Y):
        hidden = []
        for j in range(len(b1)):
            z = b1[j] if bias else 0.0
            for i in range(len(x)):
                z = z + x[i] * (W1[j][i] if transposed else W1[i][j])
            hidden.append(z.sigmoid())
        for k in range(len(b2)):
            z = b2[k] if bias else 0.0
            for j in range(len(hidden)):
                z = z + hidden[j] * (W2[k][j] if transposed else W2[j][k])
            a = z.sigmoid() if out_sigmoid else z
            values.append((a - y[k]) ** 2)
    total = sum(values)
    if cost == "sum":
        return total
    if cost == "outputs":
        return total / len(Y[0])
    if cost == "half":
        return total / (2 * len(values))
    return total / len(values)


MLP_MISTAKES = [
    Mistake("sum, not mean",
            "the cost (and every gradient) is N·K times too big: nnlib's MSE is the mean of the "
            "N·K squared errors, so divide the sum by their number.",
            lambda *a: _mlp(*a, cost="sum")),
    Mistake("mean over the outputs only",
            "right for one sample, not for several: divide by the number of squared errors, "
            "N·K, not by the K outputs of one sample.", lambda *a: _mlp(*a, cost="outputs")),
    Mistake("half squared error",
            "the cost is half of nnlib's: the ½ in ½(ŷ − y)² is another convention; the course's "
            "MSE (notebook 04) is the plain mean of (ŷ − y)².", lambda *a: _mlp(*a, cost="half")),
    Mistake("no biases",
            "the biases got no gradient: start each neuron's sum with its bias, "
            "z = b[j] + Σᵢ x[i]·W[i][j].", lambda *a: _mlp(*a, bias=False)),
    Mistake("no output sigmoid",
            "the outputs are the sums z themselves: the 2-2-2 network has a sigmoid on its "
            "outputs too, ŷ = σ(z).", lambda *a: _mlp(*a, out_sigmoid=False)),
    Mistake("weights transposed",
            "W[i][j] is the weight from input i to neuron j (one column per neuron, as in "
            "notebook 03): you used W[j][i].", lambda *a: _mlp(*a, transposed=True)),
]


def mlp_cases(rng):
    e = examples
    cases = [("the 2-2-2 network of notebook 05, x = (0.5, -0.5), y = (1, 0)",
              (e.X_222.tolist(), e.Y_222.tolist(), e.W1_222.tolist(), e.B1_222.tolist(),
               e.W2_222.tolist(), e.B2_222.tolist()))]
    for N, D, H, K in ((2, 2, 2, 2), (3, 3, 4, 2)):
        rnd = lambda *shape: np.round(rng.normal(0, 0.8, shape), 3).tolist()   # noqa: E731
        cases.append((f"a random {D}-{H}-{K} network, {N} samples",
                      (rnd(N, D), np.round(rng.random((N, K)), 3).tolist(), rnd(D, H), rnd(H),
                       rnd(H, K), rnd(K))))
    return cases


@exercise(id="nb10_mlp_cost", name="mlp_cost", notebook=NOTEBOOK, points=2,
          verifies="the 2-2-2 network reproduces notebook 05's hand numbers; cost and every "
                   "gradient equal nnlib's on random networks",
          reference=mlp_cost, mistakes=MLP_MISTAKES)
def judge_mlp(fn, ctx):
    for k, (description, args) in enumerate(mlp_cases(ctx.rng)):
        got = ctx.call(fn, *args, driver=drive_mlp_cost, check_mutation=False)
        _plain_dict(ctx, got, ("cost",) + PARAMS, description)
        expected = nnlib_mlp(*args)
        hints = None
        for name in ("cost",) + PARAMS:
            what = "the cost" if name == "cost" else f"the gradient of {name}"
            exp = HAND_222[name] if k == 0 else expected[name]
            value = got[name]
            if k == 0:          # notebook 05's hand numbers, to 5 decimals, exactly
                value = np.round(value, 5) if isinstance(value, np.ndarray) else round(value, 4)
                exp = np.array(exp) if name != "cost" else exp
            tol = (0, 1e-12) if k == 0 else (1e-9, 1e-12)
            bad = problem(value, exp, *tol, check_dtype=False) is not None
            if bad and hints is None:
                hints = _replay(drive_mlp_cost, MLP_MISTAKES, got, args)
            label = " (notebook 05's hand numbers, rounded as there)" if k == 0 else \
                " (nnlib's Network.backward)"
            ctx.compare(value, exp, Case(f"{description}: {what}{label}", ()),
                        _named(hints or [], value),
                        rtol=tol[0], atol=tol[1], check_dtype=False)


# --- the picture ------------------------------------------------------------------------------

def plot_graph(root, title, names=None, figsize=(11, 6)):
    """Draw the graph of ``root``: one box per Value with its label (or operation), data and
    grad; leaves on the left, the root on the right. ``names`` maps ``id(node)`` to a label.
    Returns the figure, with a one-line ``summary``."""
    import matplotlib.pyplot as plt

    blue, green = "#0072B2", "#009E73"     # the course's colour-blind-safe palette
    names = names or {}
    order = topological_order(root)
    level, parents = {}, {}
    for node in order:
        level[id(node)] = 1 + max((level[id(c)] for c in node._prev), default=-1)
        for child in node._prev:
            parents.setdefault(id(child), []).append(node)
    for node in order:            # a leaf sits just left of the first node that uses it
        if not node._prev and id(node) in parents:
            level[id(node)] = min(level[id(p)] for p in parents[id(node)]) - 1
    columns = {}
    for node in order:
        columns.setdefault(level[id(node)], []).append(node)
    pos = {}
    for x in sorted(columns, reverse=True):   # from the root leftwards: near its users
        nodes = columns[x]
        if id(nodes[0]) in parents:
            nodes.sort(key=lambda n: np.mean([pos[id(p)][1] for p in parents[id(n)]
                                              if id(p) in pos] or [0]), reverse=True)
        for i, node in enumerate(nodes):
            pos[id(node)] = (x, (len(nodes) - 1) / 2 - i)
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    for node in order:
        for child in node._prev:
            (x0, y0), (x1, y1) = pos[id(child)], pos[id(node)]
            ax.annotate("", (x1 - 0.28, y1), (x0 + 0.28, y0),
                        arrowprops=dict(arrowstyle="->", color=green, lw=0.6))
    for node in order:
        x, y = pos[id(node)]
        name = names.get(id(node)) or node.label or node._op or f"{node.data:g}"
        leaf = not node._prev
        ax.text(x, y, f"{name}\n{node.data:.4f}\ngrad {node.grad:.4f}", ha="center",
                va="center", fontsize=6.5,
                bbox=dict(boxstyle="round,pad=0.25", lw=0.6,
                          fc="#deebf7" if leaf else "white", ec=blue))
    ax.set_xlim(min(columns) - 0.6, max(columns) + 0.6)
    tall = max(len(n) for n in columns.values())
    ax.set_ylim(-tall / 2, tall / 2)
    ax.set_axis_off()
    ax.set_title(title)
    leaves = sum(1 for n in order if not n._prev)
    fig.summary = (f"{len(order)} Values in {len(columns)} columns: {leaves} leaves (inputs, "
                   f"parameters, constants; shaded) on the left, the root "
                   f"{root.data:.4f} on the right; each box shows the Value's data and grad.")
    return fig
