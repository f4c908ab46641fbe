"""Notebook 10's mistake catalog: realistic wrong answers, each rejected and named with its true
cause; correct answers written other ways, each accepted; every known mistake named as itself.

A wrong ``Value`` is the notebook's own solution cell with one line edited, as a learner edits
it; the other exercises' answers are functions written as a learner would write them."""

import json
import math
from collections import deque
from pathlib import Path

from nnlib.autograd import Value, ValueBase, topological_order

from .catalog import catalog_tests, says

IDS = ["nb10_value_local", "nb10_topological_order", "nb10_backprop", "nb10_mlp_cost"]

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions" / "10_autograd.ipynb"


def solution_cell(grade_id):
    cells = json.loads(SOLUTIONS.read_text(encoding="utf-8"))["cells"]
    return next("".join(c["source"]) for c in cells
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


VALUE_CELL = solution_cell("nb10_value_local_solution")


def edited(*changes):
    """The notebook's Value cell with each ``(old line, new line)`` replaced, run as a learner's
    cell runs: in a namespace holding what the notebook imported."""
    source = VALUE_CELL
    for old, new in changes:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    namespace = {"ValueBase": ValueBase, "math": math}
    exec(compile(source, "<learner's cell>", "exec"), namespace)
    return namespace["Value"]


MUL_SELF = "self.grad += other.data * out.grad"
MUL_OTHER = "other.grad += self.data * out.grad"
ADD_SELF = "self.grad += out.grad\n            other.grad += out.grad"
POW = "self.grad += n * self.data ** (n - 1) * out.grad"
EXP = "self.grad += out.data * out.grad\n"
TANH = "self.grad += (1 - out.data ** 2) * out.grad"
RELU = "self.grad += (1.0 if self.data > 0 else 0.0) * out.grad"
SIGMOID = "self.grad += out.data * (1 - out.data) * out.grad"

E = "nb10_value_local"
WRONG = [
    (E, "product rule swapped", edited((MUL_SELF, "self.grad += self.data * out.grad"),
                                       (MUL_OTHER, "other.grad += other.data * out.grad"))),
    (E, "upstream gradient dropped", edited((MUL_SELF, "self.grad += other.data"),
                                            (MUL_OTHER, "other.grad += self.data"))),
    (E, "upstream gradient dropped", edited((ADD_SELF, "self.grad += 1.0\n"
                                                       "            other.grad += 1.0"))),
    (E, "upstream gradient dropped", edited((SIGMOID, "self.grad += out.data * (1 - out.data)"))),
    (E, "grad overwritten", edited((ADD_SELF, "self.grad = out.grad\n"
                                              "            other.grad = out.grad"))),
    (E, "grad overwritten", edited((MUL_SELF, "self.grad = other.data * out.grad"),
                                   (MUL_OTHER, "other.grad = self.data * out.grad"))),
    (E, "one input forgotten", edited((MUL_OTHER, "pass"))),
    (E, "no gradient added", edited((MUL_SELF, "self.grad += other.grad * out.grad"),
                                    (MUL_OTHER, "other.grad += self.grad * out.grad"))),
    (E, "no gradient added", edited((ADD_SELF, "pass"))),
    (E, "power rule exponent not lowered", edited((POW, "self.grad += n * self.data ** n * out.grad"))),
    (E, "power rule without brackets", edited((POW, "self.grad += n * self.data ** n - 1 * out.grad"))),
    (E, "power rule on the output", edited((POW, "self.grad += n * out.data ** (n - 1) * out.grad"))),
    (E, "product rule swapped", edited((MUL_OTHER, "other.grad += other.data * out.grad"))),
    (E, "tanh derivative with misplaced brackets",
     edited((TANH, "self.grad += (1 - out.data) ** 2 * out.grad"))),
    (E, "sigmoid applied twice",
     edited((SIGMOID, "s = 1 / (1 + math.exp(-out.data))\n"
                      "            self.grad += s * (1 - s) * out.grad"))),
    (E, "power rule without its factor n", edited((POW, "self.grad += self.data ** (n - 1) * out.grad"))),
    (E, "exp derivative forgotten", edited((EXP, "self.grad += out.grad\n"))),
    (E, "exp derivative is x", edited((EXP, "self.grad += self.data * out.grad\n"))),
    (E, "tanh derivative from the input", edited((TANH, "self.grad += (1 - self.data ** 2) * out.grad"))),
    (E, "tanh derivative not squared", edited((TANH, "self.grad += (1 - out.data) * out.grad"))),
    (E, "tanh applied twice", edited((TANH, "self.grad += (1 - math.tanh(out.data) ** 2) * out.grad"))),
    (E, "ReLU passes every gradient", edited((RELU, "self.grad += out.grad"))),
    (E, "ReLU slope 1 at the corner", edited((RELU, "self.grad += (1.0 if self.data >= 0 else 0.0) * out.grad"))),
    (E, "ReLU's output as its slope", edited((RELU, "self.grad += out.data * out.grad"))),
    (E, "sigmoid derivative is the sigmoid", edited((SIGMOID, "self.grad += out.data * out.grad"))),
    (E, "sigmoid derivative from the input",
     edited((SIGMOID, "self.grad += self.data * (1 - self.data) * out.grad"))),
]
RIGHT = [
    (E, edited()),
    (E, Value),
    (E, edited((RELU, "self.grad += (self.data > 0) * out.grad"),
               (TANH, "self.grad += out.grad / math.cosh(self.data) ** 2"),
               (EXP, "self.grad += math.exp(self.data) * out.grad\n"))),
    (E, edited((MUL_SELF, "self.grad = self.grad + out.grad * other.data"),
               (MUL_OTHER, "other.grad = other.grad + out.grad * self.data"),
               (SIGMOID, "s = out.data\n            self.grad += s * (1 - s) * out.grad"),
               (RELU, "self.grad += out.grad if out.data > 0 else 0.0"))),
    (E, edited((POW, "self.grad += n * out.data / self.data * out.grad"),
               (TANH, "t = math.tanh(self.data)\n            self.grad += (1 - t * t) * out.grad"))),
]


# --- topological_order ------------------------------------------------------------------------

def topo_no_visited(root):
    order = []

    def visit(node):
        for child in node._prev:
            visit(child)
        order.append(node)
    visit(root)
    return order


def topo(root, key=id, pre=False, reverse=False, skip_leaves=False):
    order, visited = [], set()

    def visit(node):
        if key(node) in visited:
            return
        visited.add(key(node))
        if pre:
            order.append(node)
        for child in node._prev:
            visit(child)
        if not pre and not (skip_leaves and not node._prev):
            order.append(node)
    visit(root)
    return order[::-1] if reverse else order


def topo_bfs(root):
    order, seen, queue = [], {id(root)}, deque([root])
    while queue:
        node = queue.popleft()
        order.append(node)
        for child in node._prev:
            if id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    return list(reversed(order))


def topo_stack_preorder_reversed(root):
    order, stack, seen = [], [root], set()
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            order.append(node)
            stack.extend(node._prev)
    order.reverse()
    return order


def topo_default_list(root, order=[], visited=set()):
    if id(root) not in visited:
        visited.add(id(root))
        for child in root._prev:
            topo_default_list(child, order, visited)
        order.append(root)
    return order


def topo_without_root(root):
    order, visited = [], set()

    def visit(node):
        if id(node) not in visited:
            visited.add(id(node))
            for child in node._prev:
                visit(child)
            order.append(node)
    for child in root._prev:
        visit(child)
    return order


E = "nb10_topological_order"
WRONG += [
    (E, "no visited set", topo_no_visited),
    (E, "visited by value", lambda root: topo(root, key=lambda node: node.data)),
    (E, "node added before its children", lambda root: topo(root, pre=True)),
    (E, "breadth-first order reversed", topo_bfs),
    (E, "parents first", lambda root: topo(root, reverse=True)),
    (E, "not recursive", lambda root: list(root._prev) + [root]),
    (E, "root left out", topo_without_root),
    (E, "leaves left out", lambda root: topo(root, skip_leaves=True)),
    (E, "list kept between calls", topo_default_list),
    (E, "only the leaves", lambda root: [n for n in topological_order(root) if not n._prev]),
    (E, "pre-order reversed", topo_stack_preorder_reversed),
    (E, says("returned a set"), lambda root: set(topological_order(root))),
    (E, says("not in the graph"), lambda root: [n.data for n in topological_order(root)]),
    (E, says("returned None"), lambda root: print(topological_order(root))),
]


def topo_iterative(root):
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in node._prev)
    return order


def topo_kahn(root):
    nodes, stack = {}, [root]
    while stack:
        node = stack.pop()
        if id(node) not in nodes:
            nodes[id(node)] = node
            stack.extend(node._prev)
    users = {k: 0 for k in nodes}
    for node in nodes.values():
        for child in set(map(id, node._prev)):
            users[child] += 1
    ready, backwards = [root], []
    while ready:
        node = ready.pop()
        backwards.append(node)
        for child in set(map(id, node._prev)):
            users[child] -= 1
            if users[child] == 0:
                ready.append(nodes[child])
    return backwards[::-1]


def topo_visited_list(root):
    order, seen = [], []

    def visit(node):
        if node not in seen:                 # Value has no __eq__: `in` compares identity
            seen.append(node)
            for child in reversed(node._prev):
                visit(child)
            order.append(node)
    visit(root)
    return order


RIGHT += [
    (E, topological_order),
    (E, topo),
    (E, topo_iterative),
    (E, topo_kahn),
    (E, topo_visited_list),
    (E, lambda root: tuple(topological_order(root))),
]


# --- backprop ---------------------------------------------------------------------------------

def bp(root, seed=1.0, order=topological_order, reverse=True, seed_each=False, call="_backward",
       skip_root=False):
    if seed is not None:
        root.grad = seed(root) if callable(seed) else seed
    nodes = order(root)
    nodes = nodes[:-1] if skip_root else nodes
    for node in (reversed(nodes) if reverse else nodes):
        if seed_each:
            node.grad = 1.0
        getattr(root if call == "root" else node, "backward" if call == "backward" else
                "_backward")()


def bp_recursive(root):
    root.grad = 1.0

    def go(node):
        node._backward()
        for child in node._prev:
            go(child)
    go(root)


def bp_recursive_visited(root):
    root.grad, done = 1.0, set()

    def go(node):
        if id(node) not in done:
            done.add(id(node))
            node._backward()
            for child in node._prev:
                go(child)
    go(root)


def bp_zeroed_after_seed(root):
    root.grad = 1.0
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    for node in reversed(order):
        node._backward()


def bp_seed_all_first(root):
    order = topological_order(root)
    for node in order:
        node.grad = 1.0
    for node in order[::-1]:
        node._backward()


def bp_zero_before_each(root):
    root.grad = 1.0
    for node in topological_order(root)[::-1]:
        if node is not root:
            node.grad = 0.0          # "zero_grad" in the wrong place
        node._backward()


def bp_children_backward(root):
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        for child in node._prev:
            child._backward()


def bp_seed_last(root):
    for node in reversed(topological_order(root)):
        node._backward()
    root.grad = 1.0


E = "nb10_backprop"
WRONG += [
    (E, "no seed", lambda root: bp(root, seed=None)),
    (E, "no seed", bp_zeroed_after_seed),
    (E, "nothing passed down from the root", bp_seed_last),
    (E, "root only, or forward order", lambda root: bp(root, reverse=False)),
    (E, "root only, or forward order", lambda root: (setattr(root, "grad", 1.0),
                                                      root._backward())),
    (E, "every node seeded", lambda root: bp(root, seed_each=True)),
    (E, "every node seeded", lambda root: bp(root, call="backward")),
    (E, "every node seeded", bp_seed_all_first),
    (E, "nothing passed down from the root", bp_zero_before_each),
    (E, "nothing passed down from the root", bp_children_backward),
    (E, "seeded with the root's value", lambda root: bp(root, seed=lambda r: r.data)),
    (E, "shared nodes visited twice", lambda root: bp(root, order=topo_no_visited)),
    (E, "breadth-first order", lambda root: bp(root, order=topo_bfs)),
    (E, "_backward in pre-order from the root", bp_recursive),
    (E, "_backward in pre-order from the root", bp_recursive_visited),
    (E, "the root's _backward for every node", lambda root: bp(root, call="root")),
    (E, "nothing passed down from the root", lambda root: bp(root, skip_root=True)),
    (E, "nothing passed down from the root", lambda root: setattr(root, "grad", 1.0)),
]


def bp_while(root):
    order = topological_order(root)
    root.grad = 1
    while order:
        order.pop()._backward()


RIGHT += [
    (E, bp),
    (E, lambda root: bp(root, order=topo_kahn)),
    (E, lambda root: bp(root, order=topo_iterative)),
    (E, bp_while),
    (E, lambda root: (setattr(root, "grad", 1.0),
                      [n._backward() for n in topological_order(root)[::-1]])),
]


# --- mlp_cost ---------------------------------------------------------------------------------

def mlp(X, Y, W1, b1, W2, b2, divide="NK", bias="in", hidden="sigmoid", out="sigmoid",
        square=True, first_only=False, transposed=False, returns="value", copy=False):
    """A learner's two loops, as the hint suggests, written one of several ways."""
    if copy:
        W1 = [[Value(w.data) for w in row] for row in W1]
    errors = []
    for x, y in zip(X[:1] if first_only else X, Y[:1] if first_only else Y):
        h = []
        for j in range(len(b1)):
            z = sum(x[i] * (W1[j][i] if transposed else W1[i][j]) for i in range(len(x)))
            z = z + b1[j] if bias == "in" else z
            a = {"sigmoid": z.sigmoid, "tanh": z.tanh, None: lambda: z}[hidden]()
            h.append(a + b1[j] if bias == "after" else a)
        for k in range(len(b2)):
            z = sum(h[j] * W2[j][k] for j in range(len(h)))
            z = z + b2[k] if bias == "in" else z
            a = z.sigmoid() if out == "sigmoid" else z
            a = a + b2[k] if bias == "after" else a
            errors.append((a - y[k]) ** 2 if square else a - y[k])
    total = sum(errors)
    cost = total / {"NK": len(errors), "N": len(X), "K": len(Y[0]), "ND": len(X) * len(X[0]),
                    "2NK": 2 * len(errors), None: 1}[divide]
    return {"value": cost, "data": cost.data, "list": errors}[returns]


def mlp_layers(X, Y, W1, b1, W2, b2, hidden_bias=True, bias_per_input=False):
    """The forward pass one layer at a time, as lists of Values per sample."""
    def layer(inputs, W, b, use_bias):
        out = []
        for j in range(len(b)):
            z = b[j] if use_bias and not bias_per_input else 0
            for i, v in enumerate(inputs):
                z = z + v * W[i][j] + (b[j] if bias_per_input else 0)
            out.append(z.sigmoid())
        return out
    return [layer(layer(x, W1, b1, hidden_bias), W2, b2, True) for x in X]


def mlp_brackets(X, Y, W1, b1, W2, b2):
    total = sum((a - t) ** 2 for outs, y in zip(mlp_layers(X, Y, W1, b1, W2, b2), Y)
                for a, t in zip(outs, y))
    return total / len(X) * len(Y[0])


def mlp_summed_then_squared(X, Y, W1, b1, W2, b2):
    total = 0
    for outs, y in zip(mlp_layers(X, Y, W1, b1, W2, b2), Y):
        total = total + sum(a - t for a, t in zip(outs, y)) ** 2
    return total / (len(X) * len(Y[0]))


def mlp_total_reset(X, Y, W1, b1, W2, b2):
    for outs, y in zip(mlp_layers(X, Y, W1, b1, W2, b2), Y):
        total = 0
        for a, t in zip(outs, y):
            total = total + (a - t) ** 2
    return total / (len(X) * len(Y[0]))


def mlp_no_hidden_bias(X, Y, W1, b1, W2, b2):
    outs = mlp_layers(X, Y, W1, b1, W2, b2, hidden_bias=False)
    return sum((a - t) ** 2 for o, y in zip(outs, Y) for a, t in zip(o, y)) / (len(X) * len(Y[0]))


def mlp_bias_per_input(X, Y, W1, b1, W2, b2):
    outs = mlp_layers(X, Y, W1, b1, W2, b2, bias_per_input=True)
    return sum((a - t) ** 2 for o, y in zip(outs, Y) for a, t in zip(o, y)) / (len(X) * len(Y[0]))


def mlp_bias_feature_in_place(X, Y, W1, b1, W2, b2):
    for x in X:
        x.append(1.0)            # a constant input, as if for a bias: changes the caller's X
    W1 = W1 + [b1]
    return mlp_cost_plain(X, Y, W1, W2, b2)


def mlp_cost_plain(X, Y, W1, W2, b2):
    errors = []
    for x, y in zip(X, Y):
        h = [sum(x[i] * W1[i][j] for i in range(len(x))).sigmoid() for j in range(len(W1[0]))]
        for k in range(len(b2)):
            z = b2[k] + sum(h[j] * W2[j][k] for j in range(len(h)))
            errors.append((z.sigmoid() - y[k]) ** 2)
    return sum(errors) / len(errors)


def mlp_data_in_hidden(X, Y, W1, b1, W2, b2):
    errors = []
    for x, y in zip(X, Y):
        h = [(b1[j] + sum(x[i] * W1[i][j].data for i in range(len(x)))).sigmoid()
             for j in range(len(b1))]
        for k in range(len(b2)):
            errors.append(((b2[k] + sum(h[j] * W2[j][k] for j in range(len(h)))).sigmoid()
                           - y[k]) ** 2)
    return sum(errors) / len(errors)


E = "nb10_mlp_cost"
WRONG += [
    (E, "sum, not mean", lambda *a: mlp(*a, divide=None)),
    (E, "mean over the samples only", lambda *a: mlp(*a, divide="N")),
    (E, "mean over the outputs only", lambda *a: mlp(*a, divide="K")),
    (E, "divided by N·D", lambda *a: mlp(*a, divide="ND")),
    (E, "half squared error", lambda *a: mlp(*a, divide="2NK")),
    (E, "errors not squared", lambda *a: mlp(*a, square=False)),
    (E, "one sample only", lambda *a: mlp(*a, first_only=True)),
    (E, "no biases", lambda *a: mlp(*a, bias=None)),
    (E, "bias added after the sigmoid", lambda *a: mlp(*a, bias="after")),
    (E, "no hidden sigmoid", lambda *a: mlp(*a, hidden=None)),
    (E, "tanh in the hidden layer", lambda *a: mlp(*a, hidden="tanh")),
    (E, "no output sigmoid", lambda *a: mlp(*a, out=None)),
    (E, "weights transposed", lambda *a: mlp(*a, transposed=True)),
    (E, "no gradient reaches the parameters", lambda *a: mlp(*a, copy=True)),
    (E, "brackets missing in the mean", mlp_brackets),
    (E, "floor division (//)",
     lambda X, Y, *p: mlp(X, Y, *p, divide=None) * (1 // (len(X) * len(Y[0])))),
    (E, "the summed errors squared", mlp_summed_then_squared),
    (E, "one sample only", mlp_total_reset),
    (E, "no biases", mlp_no_hidden_bias),
    (E, "bias added once per input", mlp_bias_per_input),
    (E, "no gradient reaches the parameters", mlp_data_in_hidden),
    (E, says("return the cost itself, not its .data"), lambda *a: mlp(*a, returns="data")),
    (E, says("mlp_cost returned a list, not a Value"), lambda *a: mlp(*a, returns="list")),
    (E, says("mlp_cost changed its input `X` in place"), mlp_bias_feature_in_place),
]


def mlp_total(X, Y, W1, b1, W2, b2):
    total, n = Value(0.0), 0
    for x, y in zip(X, Y):
        h = [(sum(W1[i][j] * x[i] for i in range(len(x))) + b1[j]).sigmoid()
             for j in range(len(b1))]
        for k, target in enumerate(y):
            y_hat = (sum(W2[j][k] * h[j] for j in range(len(h))) + b2[k]).sigmoid()
            total = total + (target - y_hat) ** 2
            n += 1
    return total * (1 / n)


LEARNERS_VALUE = edited()     # the notebook's Value class, as the learner's exercise 1 left it


def mlp_total_in_learners_value(X, Y, W1, b1, W2, b2):
    """The total starts as the learner's own Value; the weights are nnlib's (the check's)."""
    total = LEARNERS_VALUE(0.0)
    for outs, y in zip(mlp_layers(X, Y, W1, b1, W2, b2), Y):
        for a, t in zip(outs, y):
            total = total + (a - t) ** 2
    return total / (len(X) * len(Y[0]))


def mlp_exp_sigmoid(X, Y, W1, b1, W2, b2):
    def sig(z):
        return 1 / (1 + (-z).exp())
    total = 0
    for x, y in zip(X, Y):
        h = [sig(sum(x[i] * W1[i][j] for i in range(len(x))) + b1[j]) for j in range(len(b1))]
        for k in range(len(b2)):
            total = total + (sig(sum(h[j] * W2[j][k] for j in range(len(h))) + b2[k]) - y[k]) ** 2
    return total / (len(X) * len(Y[0]))


RIGHT += [
    (E, mlp),
    (E, lambda X, Y, *p: sum((a - t) ** 2 for o, y in zip(mlp_layers(X, Y, *p), Y)
                             for a, t in zip(o, y)) / (len(X) * len(Y[0]))),
    (E, mlp_total),
    (E, mlp_exp_sigmoid),
    (E, mlp_total_in_learners_value),
    (E, lambda *a: mlp(*a) * 1.0),
]

# --- written other ways (samples3's families) -------------------------------------------------

def mlp_doubled(X, Y, W1, b1, W2, b2):
    total = 0.0
    for x, y in zip(X, Y):
        hidden = [(sum((x[i] * W1[i][j] for i in range(len(x))), b1[j])).sigmoid()
                  for j in range(len(b1))]
        for k in range(len(b2)):
            a = sum((hidden[j] * W2[j][k] for j in range(len(hidden))), b2[k]).sigmoid()
            total = total + (a - y[k]) * 2
    return total / (len(Y) * len(b2))


WRONG += [
    ("nb10_mlp_cost", "error doubled instead of squared", mlp_doubled),
    ("nb10_mlp_cost", "error doubled instead of squared",
     lambda X, Y, W1, b1, W2, b2: mlp_doubled(X, Y, W1, b1, W2, b2) * 1.0),
]
def bp_reverse_returns_none(root):
    order = topological_order(root)
    root.grad = 1.0
    for node in order.reverse():
        node._backward()


WRONG += [("nb10_backprop", "looped over None", bp_reverse_returns_none)]

globals().update(catalog_tests(IDS, WRONG, RIGHT))
