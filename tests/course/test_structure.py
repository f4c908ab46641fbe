"""The structure of every solution notebook, read in order as a learner meets it.

The rules hold for any notebook of the course, not for a list of today's notebooks:

* the notebooks are numbered 00, 01, 02, ... with no gap and no number used twice;
* the first cell is the title, ``# NN · Title`` (the start page, 00, has a free title);
* numbered sections ``## N. Title`` run 1, 2, 3, ... in order, and a numbered subsection
  ``### N.k Title`` sits under its own section N, with k running 1, 2, ... inside it;
* every exercise (a code cell with ``### BEGIN SOLUTION``) comes right after its statement: a
  markdown cell whose last heading is ``### Exercise k: `name``` (k = 1, 2, ... in order,
  ``(optional)`` allowed after k), where ``name`` is the function or class the exercise cell
  defines; its check cell, ``check.<exercise>(name)``, comes right after it; and no exercise
  heading is left without its exercise cell;
* the last cell closes the notebook with a link to the next notebook, ``NN+1_*.ipynb``; the
  last notebook of the course links back to the start page instead, closing the course;
* every link to a notebook points to a notebook that exists.

The course's planned notebooks that have not landed in this branch yet (``PLANNED``) may be
linked to before they exist: only for them is the link target's existence not checked.
"""

import re
from pathlib import Path

import nbformat
import pytest

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
START = "00_start_here.ipynb"
# Decided for the course (the lead's team notes): "When training fails" is notebook 11, the
# final capstone notebook 12. Until they land here, links to them are accepted unchecked.
PLANNED = {"11_when_training_fails.ipynb", "12_your_own_network.ipynb"}

NAME_RE = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
SECTION_RE = re.compile(r"^(\d+)\.\s")                    # "## 3. Title"
SUBSECTION_RE = re.compile(r"^(\d+)\.(\d+)\.?\s")          # "### 3.2 Title"
NUMBERED_RE = re.compile(r"^\d+(\.\d+)*\.?(\s|$)")          # any heading that starts with a number
EXERCISE_RE = re.compile(r"^Exercise\s+(\d+)(?:\s+\(optional\))?:\s+`([A-Za-z_]\w*)`")
LINK_RE = re.compile(r"\]\(([^)\s]+\.ipynb)(?:#[^)]*)?\)")
BEGIN = "### BEGIN SOLUTION"


def solution_names(folder=SOLUTIONS):
    return sorted(p.name for p in Path(folder).glob("*.ipynb"))


def headings(source):
    """``[(level, text)]`` of a markdown cell's headings, skipping fenced code blocks."""
    found, fenced = [], False
    for line in source.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        match = None if fenced else HEADING_RE.match(line)
        if match:
            found.append((len(match.group(1)), match.group(2)))
    return found


def number_problems(names):
    """The notebooks' numbers: 00, 01, ... with no gap, none twice, every name NN_words. Only a
    planned notebook that has not landed yet may leave its number's place empty."""
    problems = []
    numbers = []
    for name in names:
        match = NAME_RE.match(name)
        if not match:
            problems.append(f"{name}: not named NN_words.ipynb")
        else:
            numbers.append(int(match.group(1)))
    pending = {int(p[:2]) for p in PLANNED if p not in names}
    expected = [n for n in range(max(numbers, default=-1) + 1) if n not in pending or n in numbers]
    if sorted(numbers) != expected:
        problems.append(f"notebook numbers {sorted(numbers)} do not run 00, 01, ... without a "
                        "gap or a repeat")
    return problems


def title_problems(nb, name):
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return [f"{name}: the first cell is not a markdown title"]
    found = headings(nb.cells[0].source)
    if not found or found[0][0] != 1 or not nb.cells[0].source.lstrip().startswith("# "):
        return [f"{name}: the first cell does not start with a '# ' title"]
    number = name[:2]
    if number != "00" and not found[0][1].startswith(f"{number} · "):
        return [f"{name}: the title {found[0][1]!r} does not start with '{number} · '"]
    return []


def section_problems(nb, name):
    """Numbered sections consecutive and in order; numbered subsections under their section."""
    problems = []
    section, subsection = 0, 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for level, text in headings(cell.source):
            where = f"{name} cell {i}: {'#' * level} {text}"
            if level == 2 and SECTION_RE.match(text):
                n = int(SECTION_RE.match(text).group(1))
                if n != section + 1:
                    problems.append(f"{where}: section {n} follows section {section} "
                                    f"(expected {section + 1})")
                section, subsection = n, 0
            elif level == 3 and SUBSECTION_RE.match(text):
                n, k = map(int, SUBSECTION_RE.match(text).groups())
                if n != section:
                    problems.append(f"{where}: subsection {n}.{k} sits in section {section}")
                elif k != subsection + 1:
                    problems.append(f"{where}: subsection {n}.{k} follows {n}.{subsection} "
                                    f"(expected {n}.{subsection + 1})")
                subsection = k
            elif level >= 2 and NUMBERED_RE.match(text):
                problems.append(f"{where}: a numbered heading of the wrong level or form "
                                "(sections are '## N. Title', subsections '### N.k Title')")
    return problems


def _exercise_heading(cell):
    """(k, name) of the cell's last heading when it is an exercise statement, else None."""
    if cell.cell_type != "markdown":
        return None
    found = headings(cell.source)
    if not found:
        return None
    level, text = found[-1]
    match = EXERCISE_RE.match(text)
    return (int(match.group(1)), match.group(2)) if level == 3 and match else None


def exercise_problems(nb, name):
    """Statement right before each exercise cell, its check right after it, k = 1, 2, ..."""
    problems = []
    cells = nb.cells
    expected_k, statement_cells = 1, set()
    for i, cell in enumerate(cells):
        if cell.cell_type != "code" or BEGIN not in cell.source:
            continue
        where = f"{name} cell {i} (exercise {expected_k})"
        statement = _exercise_heading(cells[i - 1]) if i > 0 else None
        if statement is None:
            problems.append(f"{where}: the cell right before it is not the exercise's statement "
                            "(a markdown cell ending in '### Exercise k: `name`')")
            exercise_name = None
        else:
            statement_cells.add(i - 1)
            k, exercise_name = statement
            if k != expected_k:
                problems.append(f"{where}: its statement is numbered Exercise {k}")
            defines = re.search(rf"^\s*(def|class)\s+{re.escape(exercise_name)}\b",
                                cell.source, re.MULTILINE)
            if not defines:
                problems.append(f"{where}: its statement names `{exercise_name}`, which the cell "
                                "does not define")
        expected_k += 1
        after = cells[i + 1] if i + 1 < len(cells) else None
        call = (re.search(r"^check\.\w+\(\s*(\w+)", after.source, re.MULTILINE)
                if after is not None and after.cell_type == "code" else None)
        if call is None:
            problems.append(f"{where}: the cell right after it is not its check cell")
        elif exercise_name and call.group(1) != exercise_name:
            problems.append(f"{where}: the check right after it checks `{call.group(1)}`, "
                            f"not `{exercise_name}`")
    for i, cell in enumerate(cells):
        for level, text in headings(cell.source) if cell.cell_type == "markdown" else ():
            if level == 3 and text.startswith("Exercise") and i not in statement_cells:
                problems.append(f"{name} cell {i}: '### {text}' is not followed by its exercise "
                                "cell (or is not the last heading of its cell)")
    return problems


def link_problems(nb, name, names):
    """Every notebook link resolves; the last cell links to the next notebook, or, in the
    course's last notebook, back to the start page."""
    problems = []
    existing = set(names)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for target in LINK_RE.findall(cell.source):
            if target not in existing and target not in PLANNED:
                problems.append(f"{name} cell {i}: link to {target}, which does not exist")
    last = nb.cells[-1] if nb.cells else None
    closing = LINK_RE.findall(last.source) if last is not None and last.cell_type == "markdown" else []
    numbers = [int(n[:2]) for n in names if NAME_RE.match(n)]
    number = int(name[:2])
    if numbers and number == max(numbers):
        if START not in closing:
            problems.append(f"{name}: the course's last notebook does not close with a link back "
                            f"to the start page, {START}")
    else:
        nexts = [t for t in closing if NAME_RE.match(t) and int(t[:2]) == number + 1]
        if not nexts:
            problems.append(f"{name}: the last cell has no link to the next notebook "
                            f"({number + 1:02d}_*.ipynb)")
    return problems


def structure_problems(folder=SOLUTIONS):
    """Every rule above over every notebook of ``folder``: a list of problems, empty if none."""
    names = solution_names(folder)
    problems = number_problems(names)
    for name in names:
        nb = nbformat.read(Path(folder) / name, as_version=4)
        for rule in (title_problems, section_problems, exercise_problems):
            problems += rule(nb, name)
        problems += link_problems(nb, name, names)
    return problems


# --- the course's notebooks ----------------------------------------------------------------

NAMES = solution_names()


def test_notebooks_are_numbered_without_gaps():
    assert NAMES
    assert not number_problems(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_structure(name):
    nb = nbformat.read(SOLUTIONS / name, as_version=4)
    problems = (title_problems(nb, name) + section_problems(nb, name)
                + exercise_problems(nb, name) + link_problems(nb, name, NAMES))
    assert not problems, "\n".join(problems)


# --- the rules themselves catch what they are for ------------------------------------------

def _md(text):
    return nbformat.v4.new_markdown_cell(text)


def _code(text):
    return nbformat.v4.new_code_cell(text)


def _good_notebook():
    return nbformat.v4.new_notebook(cells=[
        _md("# 01 · A title"),
        _md("## 1. First\n\n### 1.1 A part\n\n### 1.2 Another part"),
        _md("## 2. Second\n\n### Exercise 1: `f`\n\nWrite `f`."),
        _code("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"),
        _code("check.f(f)"),
        _md("```python\n# a comment in a code block is no heading\n```\n\n## Summary\n\n"
            "**Next:** [02 · Next](02_next.ipynb)"),
    ])


NAMES_3 = ["00_start_here.ipynb", "01_a.ipynb", "02_next.ipynb"]


def _problems(nb, name="01_a.ipynb", names=NAMES_3):
    return (title_problems(nb, name) + section_problems(nb, name) + exercise_problems(nb, name)
            + link_problems(nb, name, names))


def test_a_well_formed_notebook_passes():
    assert _problems(_good_notebook()) == []


@pytest.mark.parametrize("edit, expected", [
    (lambda c: c.__setitem__(2, _md("## 3. Second\n\n### Exercise 1: `f`")), "section 3 follows section 1"),
    (lambda c: c.__setitem__(1, _md("## 1. First\n\n### 2.1 Misplaced")), "subsection 2.1 sits in section 1"),
    (lambda c: c.__setitem__(1, _md("## 1. First\n\n### 1.2 Skipped one")), "(expected 1.1)"),
    (lambda c: c.__setitem__(1, _md("## 1. First\n\n## 1.1 Wrong level")), "numbered heading of the wrong level"),
    (lambda c: c.insert(3, _code("print('an experiment')")), "right before it is not the exercise's statement"),
    (lambda c: c.insert(4, _md("Some words.")), "right after it is not its check cell"),
    (lambda c: c.__setitem__(2, _md("## 2. Second\n\n### Exercise 2: `f`")), "numbered Exercise 2"),
    (lambda c: c.__setitem__(2, _md("## 2. Second\n\n### Exercise 1: `g`")), "does not define"),
    (lambda c: c.__setitem__(4, _code("check.f(g)")), "checks `g`, not `f`"),
    (lambda c: c.insert(1, _md("### Exercise 9: `h`")), "is not followed by its exercise cell"),
    (lambda c: c.__setitem__(5, _md("## Summary\n\nThe end.")), "no link to the next notebook"),
    (lambda c: c.__setitem__(5, _md("[ahead](03_far.ipynb)")), "link to 03_far.ipynb, which does not exist"),
    (lambda c: c.__setitem__(0, _md("# 02 · A title")), "does not start with '01 · '"),
    (lambda c: c.__setitem__(0, _code("x = 1")), "not a markdown title"),
])
def test_the_rules_catch_each_defect(edit, expected):
    nb = _good_notebook()
    edit(nb.cells)
    problems = _problems(nb)
    assert any(expected in p for p in problems), problems


def test_the_last_notebook_closes_the_course():
    nb = _good_notebook()
    nb.cells[0] = _md("# 02 · The last one")
    assert any("does not close with a link back" in p for p in _problems(nb, "02_next.ipynb"))
    nb.cells[-1] = _md("## The whole course\n\nBack to the [start page](00_start_here.ipynb).")
    assert _problems(nb, "02_next.ipynb") == []


def test_planned_notebooks_may_be_linked_before_they_land():
    nb = _good_notebook()
    names = ["00_start_here.ipynb", "01_a.ipynb", "02_b.ipynb"]
    nb.cells[-1] = _md("**Next:** [11](11_when_training_fails.ipynb)")
    assert any("no link to the next notebook" in p for p in _problems(nb, "01_a.ipynb", names))
    assert not any("does not exist" in p for p in _problems(nb, "01_a.ipynb", names))


def test_numbering_gaps_and_repeats_are_caught():
    assert number_problems(["00_a.ipynb", "01_b.ipynb", "03_c.ipynb"])
    # a planned notebook that has not landed may leave its place empty, and only that one
    assert not number_problems([f"{n:02d}_a.ipynb" for n in range(11)] + ["12_your_own_network.ipynb"])
    assert number_problems([f"{n:02d}_a.ipynb" for n in range(10)] + ["12_your_own_network.ipynb"])
    assert number_problems(["00_a.ipynb", "01_b.ipynb", "01_c.ipynb"])
    assert number_problems(["00_a.ipynb", "1_b.ipynb"])
    assert not number_problems(["00_a.ipynb", "01_b.ipynb"])
