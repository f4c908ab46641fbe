"""Drivers for notebook 10, autograd: they build ``Value`` graphs from plain *expression specs*
(nested tuples such as ``("mul", ("var", "x1"), ("const", 2.0))``), call the learner's class or
function on them, and return plain numbers. The graphs are made of nnlib's ``Value`` (exercises
2 to 4 need a working one; the learner's notebook imports the same module)."""

import numpy as np

from nnlib.autograd import Value, ValueBase, backprop, topological_order


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


def drive_topological(fn, spec, variables):
    """The spec's graph (the course's Value); the learner's order as node labels (or, when it
    is not a list, what it is)."""
    root, labels = build(spec, Value, variables)
    order = fn(root)
    if not isinstance(order, (list, tuple)):
        return type(order).__name__
    return [labels.get(id(node), f"a {type(node).__name__} that is not in the graph")
            for node in order]


def drive_backprop(fn, spec, variables):
    """The spec's graph (the course's Value) with every grad 0; the learner's ``fn(root)``;
    then the root's value and the variables' grads in sorted name order."""
    root, labels = build(spec, Value, variables)
    by_label = {}
    for node in topological_order(root):
        by_label[labels[id(node)]] = node
    fn(root)
    return {"value": float(root.data), "root_grad": float(root.grad),
            "grads": np.array([float(by_label[name].grad) if name in by_label else 0.0
                               for name in sorted(variables)])}


def drive_mlp_cost(fn, X, Y, W1, b1, W2, b2):
    """Wrap the parameters in the course's Values, call the learner's
    ``fn(X, Y, W1, b1, W2, b2)`` (X, Y nested lists of floats), backprop from the cost it
    returns, and give back the cost and every parameter's grad as arrays."""
    wrap = {"W1": [[Value(w) for w in row] for row in W1], "b1": [Value(b) for b in b1],
            "W2": [[Value(w) for w in row] for row in W2], "b2": [Value(b) for b in b2]}
    given = [[list(map(float, r)) for r in A] for A in (X, Y)]
    cost = fn(*given, wrap["W1"], wrap["b1"], wrap["W2"], wrap["b2"])
    for name, A, was in zip("XY", given, (X, Y)):
        if A != [list(map(float, r)) for r in was]:
            return {"not a Value": f"mlp_cost changed its input `{name}` in place: read the "
                                   "samples and targets, don't write into them (make a new "
                                   "list if you need one)."}
    if not isinstance(cost, ValueBase):
        kind = type(cost).__name__
        why = "did you forget `return`?" if cost is None else \
            "return the cost itself, not its .data, so that the check can call backward() " \
            "on it" if isinstance(cost, (int, float)) else "return one Value, the mean cost"
        return {"not a Value": f"mlp_cost returned a {kind}, not a Value: {why}"}
    backprop(cost)
    out = {"cost": float(cost.data)}
    for name, value in wrap.items():
        grads = [[v.grad for v in row] for row in value] if name[0] == "W" else \
            [v.grad for v in value]
        out[name] = np.array(grads, dtype=np.float64)
    return out
