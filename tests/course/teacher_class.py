"""A generated class for the teacher-side tests (not a test module itself).

Built from notebooks 01 and 04 (learner versions and solutions), in nbgrader's layout
``submitted/<student>/<assignment>/<notebook>.ipynb``, with a roster that names the students
(some in non-Latin scripts) and lists one student who submitted nothing.
"""

import json

import nbformat

from nncourse.build.notebooks import NOTEBOOKS, SOLUTIONS

NB01, NB04 = "01_input_flattening.ipynb", "04_cost.ipynb"
# a cell limit well above what a normal cell takes on a loaded 2-core machine (matplotlib imports)
LIMITS = ["--timeout", "10", "--notebook-timeout", "60", "--check-time", "3", "--memory", "1536"]
SEED = 7

ANSWERS = {
    "flatten": "    return images.reshape(len(images), -1)",
    "unflatten": "    return X.reshape(len(X), height, width)",
    "scale_pixels": "    return X / 255",
    "local_binary_pattern": "    from nnlib.features import local_binary_pattern as lbp\n"
                            "    return lbp(image)",
    "mse": "    return np.mean((y_hat - y) ** 2)",
    "rmse": "    return np.sqrt(np.mean((y_hat - y) ** 2))",
    "ssr": "    return np.sum((y_hat - y) ** 2)",
}
WRONG = {  # named known mistakes of the checks
    "flatten_fortran": ("flatten", "    return images.transpose(0, 2, 1).reshape(len(images), -1)"),
    "scale_int": ("scale_pixels", "    return X // 255"),
    "mse_ssr": ("mse", "    return np.sum((y_hat - y) ** 2)"),
    "rmse_no_root": ("rmse", "    return np.mean((y_hat - y) ** 2)"),
    "scale_loop": ("scale_pixels", "    while True:\n        pass"),
}


def learner(name):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def solution(name):
    return nbformat.read(SOLUTIONS / name, as_version=4)


def answer(nb, func, body):
    prefix = "nb01" if func in ("flatten", "unflatten", "scale_pixels", "local_binary_pattern") \
        else "nb04"
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == f"{prefix}_{func}_solution":
            def_line = next(l for l in cell.source.splitlines() if l.startswith("def "))
            cell.source = def_line + "\n" + body
            return nb
    raise KeyError(func)


def answered(name, *funcs, wrong=()):
    nb = learner(name)
    for f in funcs:
        answer(nb, f, ANSWERS[f])
    for w in wrong:
        answer(nb, *WRONG[w])
    return nb


def edit_check_cells(nb):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = "print('✔ all good')"
    return nb


def top_level_loop(nb):
    nb.cells.insert(3, nbformat.v4.new_code_cell("while True:\n    pass"))
    return nb


# student id -> (name, {file name: notebook object or raw bytes})
CLASS = {
    "ana": ("Ana Lima", {NB01: lambda: solution(NB01), NB04: lambda: solution(NB04)}),
    "ben": ("Ben Okafor", {NB01: lambda: answered(NB01, "flatten"), NB04: lambda: solution(NB04)}),
    "chloe": ("Chloé Dubois", {NB01: lambda: learner(NB01)}),
    "dmitri": ("Дмитрий Соколов", {NB01: lambda: answered(
        NB01, "unflatten", "local_binary_pattern", wrong=("flatten_fortran", "scale_int"))}),
    "eve": ("Eve Adams", {NB01: lambda: b"{ this is not a notebook"}),
    "farid": ("فريد", {NB01: lambda: top_level_loop(answered(
        NB01, "flatten", "unflatten", "local_binary_pattern", wrong=("scale_loop",)))}),
    "gus": ("Gus Berg", {NB04: lambda: answered(NB04, "ssr", wrong=("mse_ssr", "rmse_no_root"))}),
    "hana": ("花子", {NB04: lambda: learner(NB04)}),
    "ivan": ("Ivan Petrov", {NB01: lambda: edit_check_cells(answered(
        NB01, "unflatten", "scale_pixels"))}),
    "jo": ("Jo O'Neil, \"JJ\"", {NB01: lambda: answered(NB01, "unflatten", wrong=("flatten_fortran",)),
                                 NB04: lambda: answered(NB04, "mse", "ssr", wrong=("rmse_no_root",))}),
}
ABSENT = ("kim", "Kim Nguyễn")
ASSIGNMENT = {NB01: "ps1 flattening", NB04: "ps4 cost"}


def build(root):
    """Write the class under ``root``: ``submitted/...`` and ``roster.csv``. Returns
    ``(submitted folder, roster path)``."""
    submitted = root / "submitted"
    for sid, (_, files) in CLASS.items():
        for fname, make in files.items():
            path = submitted / sid / ASSIGNMENT[fname] / fname
            path.parent.mkdir(parents=True, exist_ok=True)
            content = make()
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                nbformat.write(content, path)
    import csv
    roster = root / "roster.csv"
    with open(roster, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "name"])
        for sid, (name, _) in CLASS.items():
            w.writerow([sid, name])
        w.writerow(list(ABSENT))
    return submitted, roster


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))
