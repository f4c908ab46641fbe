"""A class of 11 generated students graded end to end, as a teacher would:

    nncourse grade submitted/ --roster roster.csv --gradebook ... --feedback ... --report ...

The class (tests/course/teacher_class.py) is in nbgrader's layout, built from notebooks 01 and
04: solved, partly solved, blank, named mistakes, a broken file, a loop stopped by the time
limit, edited check cells, two notebooks for some, one student on the roster with nothing
submitted. It is graded once for this module (two jobs), by the real grader.
"""

import base64
import csv
import re
import time
from pathlib import Path

import pytest

from nncourse import cli

from conftest import validate_reports

from . import teacher_class as tc


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submitted, roster = tc.build(root)
    out = root / "out ✔ résultats"      # any Unicode in output paths
    # --unsandboxed only matters where no sandbox can be made: wherever bubblewrap works, it is used
    args = ["grade", str(submitted), "--roster", str(roster), "--jobs", "2", "--seed", str(tc.SEED),
            "--no-progress", "--unsandboxed", *tc.LIMITS, "--json", str(out / "reports.json"),
            "--gradebook", str(out / "gradebook.csv"), "--gradebook-json", str(out / "gradebook.json"),
            "--feedback", str(out / "feedback"), "--report", str(out / "class.html"),
            "--report-json", str(out / "class.json")]
    out.mkdir()
    start = time.perf_counter()
    assert cli.main(args) == 0
    elapsed = time.perf_counter() - start
    return {"root": root, "out": out, "elapsed": elapsed,
            "reports": validate_reports(tc.load(out / "reports.json")),
            "book": tc.load(out / "gradebook.json"), "report": tc.load(out / "class.json")}


def course_max(graded):
    """The class's maximum: each graded notebook's maximum, once."""
    return sum({r["notebook"]: r["max_score"] for r in graded["reports"] if r["notebook"]}.values())


def student(graded, sid):
    return next(s for s in graded["book"]["students"] if s["id"] == sid)


def test_one_row_per_student_with_notebook_and_course_totals(graded):
    rows = list(csv.DictReader((graded["out"] / "gradebook.csv").open(encoding="utf-8")))
    ids = [sid for sid in tc.CLASS] + [tc.ABSENT[0]]
    assert [r["student"] for r in rows] == ids
    assert rows[ids.index("dmitri")]["name"] == "Дмитрий Соколов"
    by_file = {}
    for r in graded["reports"]:
        sid = Path(r["submission"]).parts[-3]
        by_file[(sid, r["notebook"])] = r["score"]
    for r in rows:
        s1 = by_file.get((r["student"], "01_input_flattening"), 0)
        s4 = by_file.get((r["student"], "04_cost"), 0)
        assert float(r["01_input_flattening total"]) == s1 and float(r["04_cost total"]) == s4
        assert float(r["total"]) == s1 + s4 and float(r["max"]) == course_max(graded)
    assert student(graded, "ana")["total"] == course_max(graded)
    assert student(graded, "ben")["notebooks"]["01_input_flattening"]["score"] == 2


def test_flags_name_what_to_look_at(graded):
    f = {sid: student(graded, sid)["flags"] for sid in list(tc.CLASS) + ["kim"]}
    assert f["eve"]["error"] and "not a Jupyter notebook" in f["eve"]["error"][0]
    assert f["farid"]["timed_out"], f["farid"]
    assert [sid for sid, flags in f.items() if flags["timed_out"]] == ["farid"], f
    assert f["ivan"]["edited_check_cells"] and not f["ana"]["edited_check_cells"]
    assert f["kim"]["missing"] == ["01_input_flattening", "04_cost"]
    assert f["gus"]["missing"] == ["01_input_flattening"] and not f["ana"]["missing"]
    assert all(not flags["not_on_roster"] for flags in f.values())
    # the class's local_binary_pattern answers call nnlib's own function: the grader says so
    assert f["dmitri"]["copied_reference"] == ["nb01_local_binary_pattern"]
    assert not f["chloe"]["copied_reference"]
    from nncourse.grading.sandbox import isolation_available
    expected = [isolation_available() or "none"]
    assert all(flags["isolation"] in ([], expected) for flags in f.values())


def test_every_score_says_why(graded):
    for s in graded["book"]["students"]:
        for ex_id, e in s["exercises"].items():
            assert e["why"], (s["id"], ex_id)
            if e["points"] < e["max_points"]:
                name = ex_id.split("_", 1)[1]
                assert any(n.startswith(f"{name} ") or "no submission" in n for n in s["notes"]), \
                    (s["id"], ex_id, s["notes"])
    d = student(graded, "dmitri")["exercises"]
    assert d["nb01_flatten"]["mistake"] == "Fortran order"
    assert d["nb01_scale_pixels"]["mistake"] == "integer division"
    assert student(graded, "farid")["exercises"]["nb01_scale_pixels"]["status"] == "timeout"
    assert "not implemented" in student(graded, "chloe")["exercises"]["nb01_flatten"]["why"]


def test_feedback_file_per_submission(graded):
    fb = graded["out"] / "feedback"
    files = sorted(p.relative_to(fb).as_posix() for p in fb.rglob("*.html"))
    expected = sorted(f"{sid}/{Path(name).stem}.html" for sid, (_, nbs) in tc.CLASS.items()
                      for name in nbs)
    assert files == expected
    page = (fb / "dmitri" / "01_input_flattening.html").read_text(encoding="utf-8")
    report = next(r for r in graded["reports"] if "/dmitri/" in r["submission"])
    # unflatten only: the sandbox's nnlib holds a stub of the local_binary_pattern he calls
    assert "Дмитрий Соколов" in page and f"Total: 1 / {report['max_score']:g} points" in page
    assert "course&#x27;s own implementation of local_binary_pattern" in page
    assert "Named mistake:</b> Fortran order" in page and "Named mistake:</b> integer division" in page
    assert 'border-left-color: #1b7837' in page and 'border-left-color: #b2182b' in page
    for e in report["exercises"]:   # each check's own message, escaped
        assert e["message"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
            .replace('"', "&quot;").replace("'", "&#x27;") in page
    jo = (fb / "jo" / "01_input_flattening.html").read_text(encoding="utf-8")
    assert "Jo O&#x27;Neil, &quot;JJ&quot;" in jo
    ivan = (fb / "ivan" / "01_input_flattening.html").read_text(encoding="utf-8")
    assert "check cells were changed" in ivan
    for p in fb.rglob("*.html"):   # readable without the course: no scripts, links or files
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"<script|<link|src=|https?://", text), p


def test_class_report_ranks_named_mistakes(graded):
    data = graded["report"]
    assert data["students"] == 11 and data["max_score"] == course_max(graded)
    top = {(m["mistake"], m["exercise"]): m for m in data["mistakes"]}
    fortran = top[("Fortran order", "nb01_flatten")]
    assert (fortran["students"], fortran["of"], fortran["who"]) == (2, 11, ["dmitri", "jo"])
    assert fortran["hint"].startswith("pixels are in column-major order")
    assert top[("no square root (MSE)", "nb04_rmse")]["students"] == 2
    assert top[("no mean (SSR)", "nb04_mse")]["who"] == ["gus"]
    assert [m["students"] for m in data["mistakes"]] == sorted(
        (m["students"] for m in data["mistakes"]), reverse=True)
    rates = {e["id"]: e for e in data["exercises"]}
    assert rates["nb01_flatten"]["passed"] == 3        # ana, ben, farid
    assert rates["nb04_ssr"]["passed"] == 4            # ana, ben, gus, jo
    assert data["full_marks"] == 1 and data["zero"] == 4   # ana; chloe, eve, hana, kim


def test_class_report_page_is_self_contained_with_figures_and_summaries(graded):
    page = (graded["out"] / "class.html").read_text(encoding="utf-8")
    blobs = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(blobs) == 3
    assert all(base64.b64decode(b).startswith(b"\x89PNG") for b in blobs)
    summaries = re.findall(r'<p class="summary">([^<]+)</p>', page)
    assert len(summaries) == 3
    assert summaries[0].startswith("Median ") and "1 of 11 scored full marks" in summaries[0]
    low = min(e["passed"] for e in graded["report"]["exercises"])
    hardest = [e["name"] for e in graded["report"]["exercises"] if e["passed"] == low]
    assert summaries[1].startswith(f"Hardest: {', '.join(hardest)} (passed by {low} of 11")
    assert "2 of 11: no square root (MSE)" in summaries[2]
    assert summaries[2].startswith("Most common: 2 of 11: ")
    assert "2 of 11</td><td>Fortran order" in page
    assert not re.search(r"<script|<link|https?://", page)


def test_timing(graded):
    n = len(graded["reports"])
    print(f"\nclass of 11 students, {n} submissions graded with teacher outputs in "
          f"{graded['elapsed']:.1f} s")
    assert n == 13
