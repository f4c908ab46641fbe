"""Checks for notebook 10, autograd: a scalar ``Value``, its topological order, backprop, and the
2-2-2 network as a graph.

The references are nnlib's (``nnlib.autograd``: ``Value``, ``topological_order``, ``backprop``,
``mlp_cost``; the notebook carries on with them after each exercise). This module holds the
expression specs the checks build graphs from, a plain-float evaluator of them for finite
differences, and the known mistakes, each a one-line variant of the reference.

Learner code is reached only through the drivers of ``drivers/nb10.py``, which build ``Value``
graphs from *expression specs*, plain nested tuples such as
``("mul", ("var", "x1"), ("const", 2.0))``, call the learner's class or function, and return
plain numbers. Known mistakes are replayed through the same drivers (outside the learner's
kernel) and named when their output equals the learner's on the most cases.
"""

import math

import numpy as np

from nnlib import activations, examples, losses
from nnlib.autograd import Value, ValueBase, backprop, mlp_cost, topological_order  # noqa: F401
from nnlib.plots.graph import plot_graph  # noqa: F401  (notebooks before nnlib.autograd)
from nncourse.checks.drivers.nb10 import (UNARY, build, drive_backprop, drive_local,  # noqa: F401
                                          drive_mlp_cost, drive_topological)
from nnlib.layers import Activation, Dense
from nnlib.network import Network
from nncourse.checks.judging import Stop, problem
from nncourse.checks import registry
from nncourse.checks.registry import Case, Mistake, exercise, name_errors

NOTEBOOK = "10_autograd"


# --- expression specs -------------------------------------------------------------------------

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
        ("a + b with a = 2, b = -3, upstream grad 2", "add", (2.0, -3.0), 2.0),
        ("a ** 3 with a = 2, upstream grad 1", "pow", (2.0, 3.0), 1.0),
        ("a.exp() with a = 0.5, upstream grad 2", "exp", (0.5,), 2.0),
        ("a.tanh() with a = 0.5, upstream grad 1", "tanh", (0.5,), 1.0),
        ("a.relu() with a = -1.5, upstream grad 1", "relu", (-1.5,), 1.0),
        ("a.relu() with a = 1.5, upstream grad 2", "relu", (1.5,), 2.0),
        ("a.relu() with a = 0 (the corner: slope 0, as in nnlib), upstream grad 1", "relu",
         (0.0,), 1.0),
        ("a.sigmoid() with a = 0.5, upstream grad 1", "sigmoid", (0.5,), 1.0),
        ("a + a (one Value used twice) with a = 3, upstream grad 1", "add_self", (3.0,), 1.0),
        ("a * a (one Value used twice) with a = 3, upstream grad 1", "mul_self", (3.0,), 1.0),
        (f"a * b with random a = {a}, b = {b}, upstream grad {u}", "mul", (a, b), u),
        (f"a ** -1 with random a = {a}, upstream grad {u}", "pow", (a if abs(a) > 0.2 else 1.3,
                                                                     -1.0), u),
        (f"a.exp() with random a = {b}, upstream grad {u}", "exp", (b,), u),
        (f"a.tanh() with random a = {b}, upstream grad {u}", "tanh", (b,), u),
        (f"a.relu() with random a = {abs(a) + 0.1:g}, upstream grad {u}", "relu",
         (abs(a) + 0.1,), u),
        (f"a.sigmoid() with random a = {a}, upstream grad {u}", "sigmoid", (a,), u),
    ]


# Each operation's local derivative times the upstream grad g, one entry per input in ``_prev``:
# rule(x, [y or n,] t, g), with x (and y) the inputs' data, n the power, t the output's data.
# nnlib's Value computes the same (a test keeps them equal); a known mistake changes one entry.
REFERENCE_RULES = {
    "add": lambda x, y, t, g: (g, g),
    "mul": lambda x, y, t, g: (y * g, x * g),
    "pow": lambda x, n, t, g: (n * x ** (n - 1) * g,),
    "exp": lambda x, t, g: (t * g,),
    "tanh": lambda x, t, g: ((1 - t ** 2) * g,),
    "relu": lambda x, t, g: ((1.0 if x > 0 else 0.0) * g,),
    "sigmoid": lambda x, t, g: (t * (1 - t) * g,),
}


class Variant(Value):
    """nnlib's Value with some of its ``_backward`` rules replaced: ``rules`` (op -> rule, as in
    REFERENCE_RULES), ``assign`` (``=`` instead of ``+=``), ``upstream`` (False: g left out)."""
    rules, assign, upstream = {}, False, True

    def _rewired(self, op, out, *extra):
        rule = self.rules.get(op, REFERENCE_RULES[op])
        inputs = out._prev

        def _backward():
            g = out.grad if self.upstream else 1.0
            for node, d in zip(inputs, rule(*(v.data for v in inputs), *extra, out.data, g)):
                node.grad = d if self.assign else node.grad + d
        out._backward = _backward
        return out

    def __add__(self, other):
        return self._rewired("add", super().__add__(other))

    def __mul__(self, other):
        return self._rewired("mul", super().__mul__(other))

    def __pow__(self, n):
        return self._rewired("pow", super().__pow__(n), n)

    def exp(self):
        return self._rewired("exp", super().exp())

    def tanh(self):
        return self._rewired("tanh", super().tanh())

    def relu(self):
        return self._rewired("relu", super().relu())

    def sigmoid(self):
        return self._rewired("sigmoid", super().sigmoid())


def variant(assign=False, upstream=True, **rules):
    """A Value class that makes one known mistake: ``variant(exp=lambda x, t, g: (g,))``."""
    return type("Value", (Variant,), {"rules": rules, "assign": assign, "upstream": upstream})


def _sig(v):
    return float(activations.sigmoid(np.float64(v)))


_NOTHING = {op: (lambda *a: (0.0, 0.0)) for op in REFERENCE_RULES}

LOCAL_MISTAKES = [Mistake("product rule swapped",
             "in a * b each input's local derivative is the *other* input: ∂(ab)/∂a = b, "
             "∂(ab)/∂b = a. An input got its own value as its derivative.",
             variant(mul=rule)) for rule in (lambda x, y, t, g: (x * g, y * g),
                                              lambda x, y, t, g: (y * g, y * g),
                                              lambda x, y, t, g: (x * g, x * g))] + [
    Mistake("upstream gradient dropped",
            "right when the upstream grad is 1, wrong otherwise: the chain rule multiplies the "
            "local derivative by out.grad, the gradient arriving from above.",
            variant(upstream=False)),
    Mistake("grad overwritten",
            "a Value used twice (a + a, a * a) must collect a contribution from each use: add "
            "into the grad with +=, don't assign it with =.", variant(assign=True)),
    Mistake("one input forgotten",
            "only the first input (self) got a gradient: an operation of two inputs adds into "
            "both, self.grad and other.grad.",
            variant(add=lambda x, y, t, g: (g,), mul=lambda x, y, t, g: (y * g,))),
    Mistake("no gradient added",
            "the inputs' grads are still 0: _backward must add the local derivative times "
            "out.grad into them (+=). The local derivative is made of data (other.data, "
            "out.data), not of grads such as other.grad, which are 0 until the backward pass "
            "fills them.", variant(**_NOTHING)),
    Mistake("power rule exponent not lowered",
            "the power rule lowers the exponent by one: d(xⁿ)/dx = n·xⁿ⁻¹, not n·xⁿ.",
            variant(pow=lambda x, n, t, g: (n * x ** n * g,))),
    Mistake("power rule without brackets",
            "`n * self.data ** n - 1` is n·xⁿ − 1: ** binds tighter than -, so the exponent "
            "needs brackets, self.data ** (n - 1).",
            variant(pow=lambda x, n, t, g: (n * x ** n - 1 * g,))),
    Mistake("power rule on the output",
            "d(xⁿ)/dx = n·xⁿ⁻¹ with x the *input*, self.data; you raised the output out.data "
            "to n − 1.", variant(pow=lambda x, n, t, g: (n * t ** (n - 1) * g,))),
    Mistake("power rule without its factor n",
            "d(xⁿ)/dx = n·xⁿ⁻¹: the factor n in front is missing.",
            variant(pow=lambda x, n, t, g: (x ** (n - 1) * g,))),
    Mistake("tanh derivative from the input",
            "tanh'(x) = 1 − tanh(x)², the square of the *output* (out.data), not of the input "
            "self.data.", variant(tanh=lambda x, t, g: ((1 - x ** 2) * g,))),
    Mistake("tanh derivative not squared",
            "tanh'(x) = 1 − tanh(x)²: square the output, 1 - out.data ** 2.",
            variant(tanh=lambda x, t, g: ((1 - t) * g,))),
    Mistake("tanh derivative with misplaced brackets",
            "(1 - out.data) ** 2 squares the difference; tanh'(x) = 1 − t², the square of the "
            "output alone: 1 - out.data ** 2.",
            variant(tanh=lambda x, t, g: ((1 - t) ** 2 * g,))),
    Mistake("tanh applied twice",
            "out.data already is tanh(x): 1 - out.data ** 2, without another math.tanh.",
            variant(tanh=lambda x, t, g: ((1 - math.tanh(t) ** 2) * g,))),
    Mistake("sigmoid derivative is the sigmoid",
            "σ'(x) = σ(x)·(1 − σ(x)): you multiplied by σ(x) alone; the factor (1 − out.data) "
            "is missing.", variant(sigmoid=lambda x, t, g: (t * g,))),
    Mistake("sigmoid applied twice",
            "out.data already is σ(x): the derivative is out.data * (1 - out.data), without "
            "taking the sigmoid of it again.",
            variant(sigmoid=lambda x, t, g: (_sig(t) * (1 - _sig(t)) * g,))),
    Mistake("sigmoid derivative from the input",
            "σ'(x) = σ(x)·(1 − σ(x)) is a formula in the *output* t = out.data: "
            "t·(1 − t), not self.data·(1 − self.data).",
            variant(sigmoid=lambda x, t, g: (x * (1 - x) * g,))),
    Mistake("ReLU passes every gradient",
            "ReLU's slope is 1 where its input is positive and 0 where it is negative: the "
            "gradient must stop at a negative input (self.data < 0).",
            variant(relu=lambda x, t, g: (g,))),
    Mistake("ReLU slope 1 at the corner",
            "at x = 0 ReLU's slope is taken as 0 (as nnlib's relu_derivative): the gradient "
            "passes only where self.data > 0, not >= 0.",
            variant(relu=lambda x, t, g: ((1.0 if x >= 0 else 0.0) * g,))),
    Mistake("ReLU's output as its slope",
            "you multiplied by ReLU's output max(x, 0); its slope is 1 for x > 0 and 0 "
            "otherwise.", variant(relu=lambda x, t, g: (t * g,))),
    Mistake("exp derivative forgotten",
            "d(eˣ)/dx = eˣ: multiply out.grad by the output itself, out.data.",
            variant(exp=lambda x, t, g: (g,))),
    Mistake("exp derivative is x",
            "d(eˣ)/dx is eˣ itself (out.data), not x (self.data).",
            variant(exp=lambda x, t, g: (x * g,))),
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


def name_mistake(ctx, fn, driver, mistakes, all_args, answers, k, rtol=1e-9, atol=1e-12):
    """The known mistake behind the learner's wrong answer to case ``k``: of those whose replay
    gives ``answers[k]``, the one that gives the learner's answer on the most cases (the cases
    not yet run are run now), so that a mistake is not named by a case that cannot tell it
    from another (dividing by N on a case with N = 1). ``answers``: case index -> plain got."""
    found = _replay(driver, mistakes, answers[k], all_args[k], rtol, atol)
    if len(found) > 1:
        for j in range(k + 1, len(all_args)):
            try:
                answers[j] = ctx.call(fn, *all_args[j], driver=driver, check_mutation=False)
            except Stop:
                pass
        found.sort(key=lambda m: -sum(bool(_replay(driver, [m], got, all_args[j], rtol, atol))
                                      for j, got in answers.items()))
    return found[0] if found else None


def _named(mistake, value):
    """``mistake`` as a list that ``ctx.compare`` recognises in ``value``."""
    return [Mistake(mistake.name, mistake.hint, lambda *a, v=value: v)] if mistake else []


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
    if isinstance(got, dict) and set(got) == {"not a Value"}:
        ctx.fail_case(description, f"problem:  {got['not a Value']}")
    if not isinstance(got, dict) or set(got) != set(keys):
        ctx.fail_case(description, "problem:  the driver expected your object to behave like a "
                      f"Value (got {type(got).__name__}). Did you change __init__ or return "
                      "something that is not a Value from an operation?")


@exercise(id="nb10_value_local", name="value_local_derivatives", notebook=NOTEBOOK, points=3,
          verifies="the local derivative of +, *, **, exp, tanh, ReLU, sigmoid, times the "
                   "upstream grad, accumulated with +=; activations agree with nnlib",
          reference=Value, mistakes=LOCAL_MISTAKES, function="Value")
def judge_local(cls, ctx):
    cases = local_cases(ctx.rng)
    all_args = [c[1:] for c in cases]
    answers = {}
    for k, (description, op, xs, upstream) in enumerate(cases):
        args = (op, xs, upstream)
        got = answers[k] = ctx.call(cls, *args, driver=drive_local, check_mutation=False)
        _plain_dict(ctx, got, ("data", "grads"), description)
        expected = drive_local(Value, *args)
        if problem(got["data"], expected["data"], 1e-12, 1e-12, False) is not None:
            ctx.compare(got["data"], expected["data"], Case(description + ": the result's data",
                                                            ()), [], rtol=1e-12, atol=1e-12)
        grads, want = got["grads"], _local_expected(*args)
        mistake = name_mistake(ctx, cls, drive_local, LOCAL_MISTAKES, all_args, answers, k) \
            if problem(grads, want, 1e-9, 1e-12, False) else None
        ctx.compare(grads, want, Case(description + ": the inputs' grads", ()),
                    _named(mistake, grads), rtol=1e-9, atol=1e-12, check_dtype=False)


# --- exercise 2: topological order ------------------------------------------------------------

X3 = {"x1": 0.5, "x2": -1.5, "x3": 2.0}

TOPO_SPECS = [
    ("a single Value x1 (the graph is just the root)", ("var", "x1")),
    ("x1 * x2 + x3", ("add", ("mul", ("var", "x1"), ("var", "x2")), ("var", "x3"))),
    ("x1 * x2 + x1 (section 1's d = a·b + a): x1 is used twice",
     ("add", ("mul", ("var", "x1"), ("var", "x2")), ("var", "x1"))),
    ("tanh(x1 * x2) + x1: x1 is reached at two depths, directly and through tanh(x1 * x2)",
     ("add", ("tanh", ("mul", ("var", "x1"), ("var", "x2"))), ("var", "x1"))),
    ("x1 + exp(x1 * x2): x1 is reached at two depths, the deep use second",
     ("add", ("var", "x1"), ("exp", ("mul", ("var", "x1"), ("var", "x2"))))),
    ("tanh(x1 * x2) * tanh(x1 * x2): the node tanh(x1 * x2) is used twice",
     ("mul", ("tanh", ("mul", ("var", "x1"), ("var", "x2"))),
      ("tanh", ("mul", ("var", "x1"), ("var", "x2"))))),
    ("(x1 + x2) * (x2 + x3) + x1 ** 2: x1 and x2 are used twice",
     ("add", ("mul", ("add", ("var", "x1"), ("var", "x2")), ("add", ("var", "x2"), ("var", "x3"))),
      ("pow", ("var", "x1"), 2.0))),
]


def topological_cases(rng):
    """(description, spec, variables) for every case of the topological-order check."""
    cases = [(d, s, X3) for d, s in TOPO_SPECS]
    cases.append(("a random expression with shared nodes", random_spec(rng, depth=4), X3))
    cases.append(("(x1 * x3) + (x3 * x3) with x1 = x3 = 2.0: two nodes hold the same number 4",
                  ("add", ("mul", ("var", "x1"), ("var", "x3")),
                   ("mul", ("var", "x3"), ("var", "x3"))), dict(X3, x1=2.0)))
    return cases


def _graph_edges(spec, variables):
    root, labels = build(spec, Value, variables)
    edges, nodes = [], topological_order(root)
    for node in nodes:
        edges += [(labels[id(node)], labels[id(c)]) for c in node._prev]
    return [labels[id(n)] for n in nodes], edges, labels[id(root)]


def _order_problem(got, spec, variables):
    expected, edges, root = _graph_edges(spec, variables)
    if got == "NoneType":
        return "your function returned None: did you forget `return order`?"
    if isinstance(got, str):
        return f"returned a {got}; return a list of the graph's Values, in order"
    if not all(isinstance(g, str) for g in got):
        return "return a list of the graph's Values"
    outside = [g for g in got if g not in expected]
    if outside:
        return f"the list holds {outside[0]} (one of {len(outside)}): only the Values of this " \
               "graph belong in it"
    dup = sorted({g for g in got if got.count(g) > 1})
    if dup:
        return f"node {dup[0]} appears {got.count(dup[0])} times; each node must appear once"
    missing = [n for n in expected if n not in got]
    if missing:
        return f"{len(missing)} of the graph's {len(expected)} nodes are missing (first: " \
               f"{missing[0]})"
    for parent, child in edges:
        if got.index(parent) < got.index(child):
            return f"{parent} comes before {child}, one of the Values it was made from"
    return None


def _topo(root, visited=True, post=True, by=id, recursive=True, leaves=True, inner=True):
    """The reference's depth-first search with one of its parts changed (a known mistake)."""
    order, seen = [], set()

    def visit(node, depth=0):
        if visited and by(node) in seen:
            return
        seen.add(by(node))
        if not post:
            order.append(node)
        for child in node._prev if recursive or depth == 0 else ():
            visit(child, depth + 1)
        if post and (leaves or node._prev) and (inner or not node._prev):
            order.append(node)
    visit(root)
    return order


def _topo_breadth_first(root):
    order, seen, queue = [], set(), [root]
    while queue:
        node = queue.pop(0)
        if id(node) not in seen:
            seen.add(id(node))
            order.append(node)
            queue.extend(node._prev)
    return order[::-1]


def _topo_stack_reversed(root, mark_on_push=False):
    order, seen, stack = [], {id(root)} if mark_on_push else set(), [root]
    while stack:
        node = stack.pop()
        if not mark_on_push:
            if id(node) in seen:
                continue
            seen.add(id(node))
        order.append(node)
        for child in node._prev:
            if not mark_on_push or id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return order[::-1]


def _topo_list_kept(root, order=[], visited=set()):   # the mistake itself: state kept
    def visit(node):
        if id(node) not in visited:
            visited.add(id(node))
            for child in node._prev:
                visit(child)
            order.append(node)
    visit(root)
    return order


PRE_REVERSED = (
    "you appended each node when it was first reached (pre-order, e.g. when popped from a "
    "stack) and reversed the list: for a node used twice, like x1 in x1 * x2 + x1, that puts it "
    "after a node made from it. Append a node only after all of its children (post-order); "
    "then no reversing is needed.")

TOPO_MISTAKES = [
    Mistake("no visited set",
            "a node used twice was added twice: keep a set of the nodes already visited (e.g. "
            "of id(node)) and skip them.", lambda root: _topo(root, visited=False)),
    Mistake("parents first",
            "your list is the right one reversed: the root must come last, every node after "
            "the Values it was made from (backprop walks it backwards from the root).",
            lambda root: topological_order(root)[::-1]),
    Mistake.variant("node added before its children",
            "your list is in pre-order, each node before the Values it was made from (appended "
            "before visiting its children, or inserted at the front after them): append a "
            "node only after all of its children have been visited (post-order).",
            _topo, post=False),
    Mistake("breadth-first order reversed",
            "your order is breadth-first (level by level from the root), reversed: a node "
            "reached at two depths, like x1 in tanh(x1 * x2) + x1, is placed by its shallow "
            "use, before a node made from it. Search depth-first: place all of a node's "
            "children (recursively) before appending the node.", _topo_breadth_first),
    Mistake("pre-order reversed", PRE_REVERSED, _topo_stack_reversed),
    Mistake("pre-order reversed", PRE_REVERSED,
            lambda root: _topo_stack_reversed(root, mark_on_push=True)),
    Mistake("pre-order reversed", PRE_REVERSED, lambda root: _topo(root, post=False)[::-1]),
    Mistake.variant("only the leaves",
            "only the leaves (the Values with an empty _prev) are there: every Value the root "
            "depends on belongs in the order, the ones made by operations too, and the root "
            "last.", _topo, inner=False),
    Mistake.variant("not recursive",
            "only the root and its direct children are there: visit the children's children "
            "too, with a function that calls itself on each child.",
            _topo, recursive=False),
    Mistake("root left out",
            "everything but the root: the root belongs in the order too (it is the last "
            "node).", lambda root: topological_order(root)[:-1]),
    Mistake.variant("leaves left out",
            "only the nodes made by an operation are there: the leaves (inputs and constants, "
            "whose _prev is empty) belong in the order too, and need their grads.",
            _topo, leaves=False),
    Mistake("visited by value",
            "two different nodes that hold the same number were taken for one: mark nodes as "
            "visited by identity (id(node) or the node itself), not by node.data.",
            lambda root: _topo(root, by=lambda node: node.data)),
]

LIST_KEPT = Mistake(
    "list kept between calls",
    "the list holds the Values of an earlier graph too: it lives on between calls (a default "
    "argument such as order=[] or visited=set() is made once, when the function is defined, "
    "or a list outside the function). Make a new list and set inside each call.",
    _topo_list_kept)


def _kept_from_before(got, spec, variables):
    """The learner's list is this graph's order after Values that are not in it."""
    if not isinstance(got, list) or not got:
        return False
    inside = [g for g in got if "not in the graph" not in g]
    return len(inside) < len(got) and got[-len(inside):] == inside and \
        _order_problem(inside, spec, variables) is None


@exercise(id="nb10_topological_order", name="topological_order", notebook=NOTEBOOK, points=2,
          verifies="every node once, each after the Values it was made from, the root last; "
                   "nodes reached at two depths and nodes holding the same number included",
          reference=topological_order, mistakes=TOPO_MISTAKES + [LIST_KEPT])
def judge_topological(fn, ctx):
    cases = topological_cases(ctx.rng)
    all_args = [c[1:] for c in cases]
    answers = {}
    for k, (description, spec, variables) in enumerate(cases):
        got = answers[k] = ctx.call(fn, spec, variables, driver=drive_topological,
                                    check_mutation=False)
        why = _order_problem(got, spec, variables)
        if why is None:
            ctx.pass_case()
            continue
        mistake = LIST_KEPT if _kept_from_before(got, spec, variables) else \
            name_mistake(ctx, fn, drive_topological, TOPO_MISTAKES, all_args, answers, k)
        ctx.fail_case(description, f"graph:    {show_spec(spec)}",
                      f"a right order: {_graph_edges(spec, variables)[0]}",
                      f"got:      {got!r}"[:300], f"problem:  {why}", mistake=mistake)


# --- exercise 3: backprop ---------------------------------------------------------------------

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
        ("x1 * x2 + tanh(x1 * x2): the node x1 * x2 is used by the root and, deeper, by tanh",
         ("add", ("mul", ("var", "x1"), ("var", "x2")),
          ("tanh", ("mul", ("var", "x1"), ("var", "x2"))))),
        ("tanh(x1 * x2) + sigmoid(x1 * x2): the node x1 * x2 is used by two nodes",
         ("add", ("tanh", ("mul", ("var", "x1"), ("var", "x2"))),
          ("sigmoid", ("mul", ("var", "x1"), ("var", "x2"))))),
        ("tanh(x1 * x2) * tanh(x1 * x2): one tanh node used twice",
         ("mul", ("tanh", ("mul", ("var", "x1"), ("var", "x2"))),
          ("tanh", ("mul", ("var", "x1"), ("var", "x2"))))),
        ("sigmoid(x1 * x2 + x3) ** 2 (a neuron's squared output)",
         ("pow", ("sigmoid", ("add", ("mul", ("var", "x1"), ("var", "x2")), ("var", "x3"))), 2.0)),
    ]
    while len(cases) < 10:
        spec = random_spec(rng, depth=4)
        variables = {n: float(np.round(v, 3)) for n, v in zip(X3, rng.uniform(-1.5, 1.5, 3))}
        if any(abs(z) < 1e-3 for z in _relu_inputs(spec, variables)):
            continue                          # finite differences fail at ReLU's corner
        if not any(s in str(spec) for s in ("'x1'", "'x2'", "'x3'")):
            continue
        cases.append((f"a random expression: {show_spec(spec)}"[:160], spec, variables))
    return [c if len(c) == 3 else (c[0], c[1], X3) for c in cases]


def _backprop(root, seed=lambda root: 1.0, order=topological_order, step=None):
    """The reference backprop with one of its parts changed (a known mistake): the ``seed`` of
    root.grad (None: not set), the ``order`` built, ``step(node, root)`` run in the loop."""
    value = seed(root)
    if value is not None:
        root.grad = value
    for node in reversed(order(root)):
        (step or (lambda node, root: node._backward()))(node, root)


def _backprop_recursive(root, visited=True):
    """Depth-first from the root, each node's _backward called as it is reached."""
    seen = set()

    def visit(node):
        if visited and id(node) in seen:
            return
        seen.add(id(node))
        node._backward()
        for child in node._prev:
            visit(child)
    root.grad = 1.0
    visit(root)


def _seed_everywhere(node, root):
    node.grad = 1.0
    node._backward()


def _seeded_first(root):
    order = topological_order(root)
    for node in order:
        node.grad = 1.0
    return order


SEEDED_EVERYWHERE = (
    "every node's grad was set to 1, not only the root's (node.grad = 1.0 for every node, "
    "before or in the loop, or node.backward(), which seeds the node it is called on and runs "
    "a whole pass from there). Only the root is seeded; every other grad starts at 0 and is "
    "built up by the _backward calls above it: the loop calls each node's own "
    "node._backward().")
NOTHING_PASSED = (
    "the root's grad is 1 but nothing reached the other nodes: either the root's own "
    "_backward, which starts it all, never ran after the seed (the seed set after the loop, a "
    "loop over order[:-1], or the children's _backward called instead of each node's own), "
    "or each node's grad was reset to 0 just before its _backward. Seed once, before the "
    "loop; then call node._backward() for every node of the reversed order, root included, "
    "without touching the grads.")
WALKED = (
    "you called the nodes' _backward in depth-first pre-order from the root (each node as soon "
    "as a walk from the root reaches it, recursively or from a pre-order list): a node used "
    "twice may not have all of its gradient yet, or runs twice. Build the topological order "
    "(post-order: children first, then the node), then call _backward on its nodes reversed, "
    "each once.")

BACKPROP_MISTAKES = [
    Mistake("no seed",
            "every gradient is 0: the root's grad must be 1.0 (∂root/∂root = 1) when the "
            "backward pass starts: set root.grad = 1.0 (after any zeroing); every other "
            "gradient is that 1 times local derivatives.",
            lambda root: _backprop(root, seed=lambda root: None)),
    Mistake("nothing passed down from the root", NOTHING_PASSED,
            lambda root: _backprop(root, order=lambda root: [])),
    Mistake("nothing passed down from the root", NOTHING_PASSED,
            lambda root: _backprop(root, order=lambda r: topological_order(r)[:-1])),
    Mistake("root only, or forward order",
            "only the root's own inputs got a gradient: either only the root's _backward ran, "
            "or the nodes ran leaves first (the topological order itself, or a root-first "
            "pre-order reversed), each before the nodes that pass it its gradient. Call "
            "_backward on every node, in the topological order reversed (from the root down).",
            lambda root: _backprop(root, order=lambda root: [root])),
    Mistake("every node seeded", SEEDED_EVERYWHERE,
            lambda root: _backprop(root, step=_seed_everywhere)),
    Mistake("every node seeded", SEEDED_EVERYWHERE,
            lambda root: _backprop(root, step=lambda node, root: node.backward())),
    Mistake("every node seeded", SEEDED_EVERYWHERE,
            lambda root: _backprop(root, order=_seeded_first)),
    Mistake("seeded with the root's value",
            "the gradients are off by the factor root.data: the seed is ∂root/∂root = 1.0, "
            "whatever the root's value.", lambda root: _backprop(root, seed=lambda r: r.data)),
    Mistake("shared nodes visited twice",
            "a node used twice passed its gradient down twice: each node's _backward must run "
            "exactly once, so build the order with a visited set (topological_order).",
            lambda root: _backprop(root, order=lambda r: _topo(r, visited=False))),
    Mistake("breadth-first order",
            "the nodes ran in breadth-first order (level by level from the root): a node "
            "reached at two depths ran its _backward before a deeper user had passed its share "
            "down. Walk the topological order (depth-first, children before the node) reversed.",
            lambda root: _backprop(root, order=lambda r: _topo_breadth_first(r))),
    Mistake("_backward in pre-order from the root", WALKED,
            _backprop_recursive),
    Mistake("_backward in pre-order from the root", WALKED,
            lambda root: _backprop_recursive(root, visited=False)),
    Mistake("the root's _backward for every node",
            "the loop called root._backward() each time: call the loop variable's, "
            "node._backward().",
            lambda root: _backprop(root, step=lambda node, root: root._backward())),
]


@exercise(id="nb10_backprop", name="backprop", notebook=NOTEBOOK, points=2,
          verifies="gradients of fixed and random expressions, shared nodes and nodes reached "
                   "at two depths included, against centered finite differences",
          reference=backprop, mistakes=BACKPROP_MISTAKES)
def judge_backprop(fn, ctx):
    cases = backprop_cases(ctx.rng)
    all_args = [c[1:] for c in cases]
    answers = {}
    for k, (description, spec, variables) in enumerate(cases):
        got = answers[k] = ctx.call(fn, spec, variables, driver=drive_backprop,
                                    check_mutation=False)
        _plain_dict(ctx, got, ("value", "root_grad", "grads"), description)
        numeric = finite_differences(spec, variables)
        case = Case(f"{description}, at {', '.join(f'{k} = {v:g}' for k, v in variables.items())}"
                    ": the grads of x1, x2, x3 (expected: centered finite differences)", ())
        mistake = None
        if problem(got["grads"], numeric, 1e-5, 1e-7, False) is not None:
            mistake = name_mistake(ctx, fn, drive_backprop, BACKPROP_MISTAKES, all_args,
                                   answers, k)
        ctx.compare(got["grads"], numeric, case, _named(mistake, got["grads"]), rtol=1e-5,
                    atol=1e-7, check_dtype=False)
        if got["root_grad"] != 1.0:
            ctx.fail_case(case, "expected: root.grad = 1.0 (∂root/∂root)",
                          f"got:      root.grad = {got['root_grad']!r}",
                          "problem:  the variables' grads are right, but the root's own grad "
                          "is not 1 afterwards")


# --- exercise 4: the 2-2-2 network as a graph -------------------------------------------------

HAND_222 = {   # notebook 05's hand-worked gradients of the 2-2-2 network, 5 decimals
    "cost": 0.1939,      # (4 decimals in notebook 05)
    "W1": [[-0.01492, 0.0081], [0.01492, -0.0081]], "b1": [-0.02984, 0.01621],
    "W2": [[-0.04743, 0.05994], [-0.03807, 0.04811]], "b2": [-0.09485, 0.11988],
}
PARAMS = ("W1", "b1", "W2", "b2")


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


def _mlp(X, Y, W1, b1, W2, b2, cost="mean", bias=("before", "before"), hidden="sigmoid",
         out_sigmoid=True, transposed=(), square="each", samples=slice(None), copies=False):
    """The reference's network with one of its parts changed (a known mistake). ``bias`` per
    layer: "before" the sigmoid, "after" it, "each" input once, or None."""
    if copies:
        W1, W2 = ([[Value(w.data) for w in row] for row in W] for W in (W1, W2))
        b1, b2 = ([Value(b.data) for b in bs] for bs in (b1, b2))

    def neuron(inputs, W, b, j, layer, trans):
        z = b[j] if bias[layer] == "before" else 0.0
        for i, v in enumerate(inputs):
            z = z + v * (W[j][i] if trans else W[i][j])
            z = z + b[j] if bias[layer] == "each" else z
        return z

    values = []
    for x, y in list(zip(X, Y))[samples]:
        h = []
        for j in range(len(b1)):
            z = neuron(x, W1, b1, j, 0, "W1" in transposed)
            a = z if hidden is None else getattr(z, hidden)()
            h.append(a + b1[j] if bias[0] == "after" else a)
        errors = []
        for k in range(len(b2)):
            z = neuron(h, W2, b2, k, 1, "W2" in transposed)
            a = z.sigmoid() if out_sigmoid else z
            a = a + b2[k] if bias[1] == "after" else a
            errors.append(a - y[k])
        values += {"each": [e ** 2 for e in errors], "none": errors,
                   "sample": [sum(errors) ** 2], "doubled": [e * 2 for e in errors]}[square]
    total = sum(values)
    N, K, D = len(X), len(Y[0]), len(X[0])
    if cost == "brackets":
        return total / N * K
    if cost == "floor":
        return total * (1 // (N * K))
    return total / {"mean": N * K, "count": len(values), "sum": 1, "outputs": K, "half": 2 * N * K, "samples": N,
                    "inputs": N * D}[cost]


MLP_MISTAKES = [
    Mistake.variant("sum, not mean",
            "the cost (and every gradient) is N·K times too big: nnlib's MSE is the mean of the "
            "N·K squared errors, so divide the sum by their number.",
            _mlp, cost="sum"),
    Mistake.variant("mean over the samples only",
            "the cost is K times too big: you divided by the N samples; the MSE is the mean "
            "over all N·K squared errors, every output of every sample.",
            _mlp, cost="samples"),
    Mistake.variant("mean over the outputs only",
            "right for one sample, not for several: divide by the number of squared errors, "
            "N·K, not by the K outputs of one sample.", _mlp, cost="outputs"),
    Mistake("divided by N·D",
            "you divided by the number of inputs D (len(x)); the MSE averages the N·K squared "
            "errors, so divide by N times the number of outputs K (len(y)).",
            lambda *a: _mlp(*a, cost="inputs")),
    Mistake.variant("brackets missing in the mean",
            "total / N * K multiplies by K: / and * go left to right, so divide by the "
            "product in brackets, total / (N * K).", _mlp, cost="brackets"),
    Mistake.variant("floor division (//)",
            "1 // (N * K) is floor division, 0: the cost and every gradient vanish. Write "
            "1 / (N * K), or divide the total by N * K.", _mlp, cost="floor"),
    Mistake.variant("half squared error",
            "the cost is half of nnlib's: the ½ in ½(ŷ − y)² is another convention; the course's "
            "MSE (notebook 04) is the plain mean of (ŷ − y)².", _mlp, cost="half"),
    Mistake.variant("error doubled instead of squared",
                    "you multiplied each error by 2 ((ŷ − y) * 2) where the cost squares it: "
                    "(ŷ − y) ** 2, with two stars.", _mlp, square="doubled"),
    Mistake.variant("errors not squared",
            "you averaged ŷ − y itself: the MSE averages the *squared* errors, (ŷ − y) ** 2.",
            _mlp, square="none"),
    Mistake.variant("the summed errors squared",
            "you squared each sample's summed error, (Σₖ (ŷₖ − yₖ))²; the MSE squares every "
            "error on its own and then sums: Σₖ (ŷₖ − yₖ)².", _mlp, square="sample"),
] + [Mistake.variant("one sample only",
                     "only one sample counted (a return or a total reset inside the loop over "
                     "the samples?): add every sample's K squared errors to one total, then "
                     "divide by N·K.", _mlp, samples=part, cost=cost)
     for part in (slice(0, 1), slice(-1, None)) for cost in ("mean", "count")] + [
] + [Mistake.variant("no biases",
                     "a layer's biases got no gradient: start each neuron's sum with its bias, "
                     "z = b[j] + Σᵢ x[i]·W[i][j], in both layers.", _mlp, bias=layers)
     for layers in ((None, None), (None, "before"), ("before", None))] + [
    Mistake.variant("bias added after the sigmoid",
            "the bias belongs inside the sigmoid: σ(b[j] + Σᵢ x[i]·W[i][j]), not "
            "σ(Σᵢ x[i]·W[i][j]) + b[j].", _mlp, bias=("after", "after")),
] + [Mistake.variant("bias added once per input",
                     "the bias was added inside the loop over the inputs, once per input: add "
                     "it once per neuron, z = b[j] + Σᵢ x[i]·W[i][j].", _mlp, bias=layers)
     for layers in (("each", "each"), ("each", "before"), ("before", "each"))] + [
    Mistake.variant("no hidden sigmoid",
            "the hidden neurons' outputs are their sums z themselves: the hidden layer has a "
            "sigmoid too, h = σ(z).", _mlp, hidden=None),
    Mistake.variant("tanh in the hidden layer",
            "the 2-2-2 network of notebook 05 uses the sigmoid in both layers, not tanh.",
            _mlp, hidden="tanh"),
    Mistake.variant("no output sigmoid",
            "the outputs are the sums z themselves: the 2-2-2 network has a sigmoid on its "
            "outputs too, ŷ = σ(z).", _mlp, out_sigmoid=False),
] + [Mistake.variant("weights transposed", "W[i][j] is the weight from input i to neuron j (one "
                     "column per neuron, as in notebook 03): you used W[j][i].", _mlp,
                     transposed=t) for t in (("W1", "W2"), ("W1",), ("W2",))]

NO_GRADIENT = Mistake(
    "no gradient reaches the parameters",
    "the cost is right, but some parameters got no gradient: the graph must be built from the "
    "Values you were given (W1[i][j], b1[j], ...). Taking .data, or making new "
    "Value(w.data), starts a separate graph whose grads the check never sees.",
    lambda *a: _mlp(*a, copies=True))


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


def _no_gradient(got, expected):
    """The cost is right, and some parameter's grads are all 0 where nnlib's are not."""
    return problem(got["cost"], expected["cost"], 1e-9, 1e-12) is None and any(
        not np.any(got[p]) and np.any(expected[p]) for p in PARAMS)


@exercise(id="nb10_mlp_cost", name="mlp_cost", notebook=NOTEBOOK, points=2,
          verifies="the 2-2-2 network reproduces notebook 05's hand numbers; cost and every "
                   "gradient equal nnlib's on random networks",
          reference=mlp_cost, mistakes=MLP_MISTAKES + [NO_GRADIENT])
def judge_mlp(fn, ctx):
    cases = mlp_cases(ctx.rng)
    all_args = [args for _, args in cases]
    answers = {}
    for k, (description, args) in enumerate(cases):
        got = answers[k] = ctx.call(fn, *args, driver=drive_mlp_cost, check_mutation=False)
        _plain_dict(ctx, got, ("cost",) + PARAMS, description)
        expected = nnlib_mlp(*args)
        mistake = None
        if not _same_plain(got, expected, 1e-9, 1e-12):
            mistake = NO_GRADIENT if _no_gradient(got, expected) else \
                name_mistake(ctx, fn, drive_mlp_cost, MLP_MISTAKES, all_args, answers, k)
        label = " (notebook 05's network, whose hand-worked numbers are these rounded)" \
            if k == 0 else " (expected: nnlib's Network.backward)"
        names = ("cost",) + tuple(f"d{p}" for p in PARAMS)   # the grads as notebook 05 names them

        def named(out):
            return dict(zip(names, (out[n] for n in ("cost",) + PARAMS)))
        ctx.compare_named(named(got), named(expected),
                          Case(f"{description}: the cost and every gradient{label}", ()), names,
                          _named(mistake, named(got)), rtol=1e-9, atol=1e-12)


# The course's earlier names for nnlib's versions (this module re-exports them): a learner's
# function that calls one is flagged by the grader as using the course's answer.
for _id, _name in {"nb10_value_local": "Value", "nb10_topological_order": "topological_order",
                   "nb10_backprop": "backprop", "nb10_mlp_cost": "mlp_cost"}.items():
    registry.EXERCISES[_id].implemented_by += (f"nncourse.checks.nb10.{_name}",)


name_errors("nb10_backprop", {"'NoneType' object is not iterable": Mistake(
    "looped over None",
    "you looped over None: list.reverse() and list.sort() change the list in place and "
    "return None. Loop over reversed(order) or order[::-1] (and make sure your topological "
    "order is returned, not only built).", None)})
