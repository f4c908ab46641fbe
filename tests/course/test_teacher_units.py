"""The teacher's side on hand-made grader reports: students, gradebook, feedback, class report,
Gradescope's results. (tests/course/test_teacher_class.py runs all of it on a graded class.)"""

import base64
import csv
import io
import json
import os
from pathlib import Path

import pytest

from nncourse.files import safe_name, write_atomic
from nncourse.results import ExerciseResult, SubmissionReport
from nncourse.teacher import autograder, classreport, feedback, gradebook, gradescope, students

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (a test extra) is missing")
SCHEMA = json.loads((Path(__file__).parent / "gradescope_schema.json").read_text())

FORTRAN_HINT = ("pixels are in column-major order: did you flatten in Fortran order "
                "(order=\"F\") or transpose first? Read each image row by row.")


def row(id, points, max_points, status="passed", message=None, **extra):
    name = id.split("_", 1)[1]
    message = message or (f"✔ {name} — 4/4 cases" if status == "passed" else f"✘ {name} — case 1")
    return {"id": id, "name": name, "passed": status == "passed", "status": status,
            "points": points, "max_points": max_points, "message": message, **extra}


def nb01(path, flatten="passed", **fields):
    """A grader's report on notebook 01, as ``nncourse grade`` makes it."""
    rows = [row("nb01_flatten", 2 if flatten == "passed" else 0, 2, flatten,
                None if flatten != "failed" else
                f"✘ flatten — case 1: a batch\n  likely mistake: {FORTRAN_HINT}",
                **({"mistake": "Fortran order", "hint": FORTRAN_HINT} if flatten == "failed"
                   else {})),
            row("nb01_unflatten", 1, 1), row("nb01_scale_pixels", 1, 1),
            row("nb01_local_binary_pattern", 0, 1, "not_implemented",
                "… local_binary_pattern — not implemented yet")]
    rep = {"submission": path, "notebook": "01_input_flattening",
           "score": sum(r["points"] for r in rows), "max_score": 5, "error": None,
           "exercises": rows, "modified_check_cells": []}
    rep.update(fields)
    return SubmissionReport.from_json(rep)


def broken(path):
    return SubmissionReport.from_json(
        {"submission": path, "notebook": None, "score": 0, "max_score": 0,
         "error": "not a notebook: the file is not valid JSON", "exercises": [],
         "modified_check_cells": []})


# --- students --------------------------------------------------------------------------------

def test_nbgrader_layout_names_student_and_assignment(tmp_path):
    p = tmp_path / "course" / "submitted" / "zoë" / "ps1" / "01_input_flattening.ipynb"
    (subs,) = students.assign([p], [tmp_path / "course" / "submitted"])
    assert (subs.student, subs.assignment, subs.on_roster) == ("zoë", "ps1", True)


def test_plain_folder_without_roster(tmp_path):
    paths = [tmp_path / "alice" / "04_cost.ipynb", tmp_path / "bob_01_input_flattening.ipynb",
             tmp_path / "01_input_flattening.ipynb", tmp_path / "Carla Núñez - 04_cost.ipynb"]
    subs = students.assign(paths, [tmp_path])
    assert [s.student for s in subs] == ["alice", "bob", "01_input_flattening", "Carla_Núñez"]


def test_roster_patterns_names_and_absent_students(tmp_path):
    roster = students.read_roster("\ufeffStudent_ID,Name,Pattern\n"
                                  "s1,Ana Lima,*lima*\ns2,李雷,li_lei/*\ns3,Nobody,\n")
    paths = [tmp_path / "LIMA_04_cost.ipynb", tmp_path / "li_lei" / "x.ipynb",
             tmp_path / "stranger.ipynb", tmp_path / "s3-01.ipynb"]
    subs = students.assign(paths, [tmp_path], roster)
    assert [(s.student, s.name, s.on_roster) for s in subs] == [
        ("s1", "Ana Lima", True), ("s2", "李雷", True), ("stranger", "", False),
        ("s3", "Nobody", True)]
    assert students.class_list(subs, roster) == [("s1", "Ana Lima"), ("s2", "李雷"),
                                                  ("s3", "Nobody"), ("stranger", "")]


@pytest.mark.parametrize("text, message", [
    ("name,pattern\nAna,*a*\n", "no student id column"),
    ("id,name\na,Ana\na,Ann\n", "appears twice"),
    ("id,name\n,Ana\n", "the student id is empty"),
])
def test_roster_errors_say_why(text, message):
    with pytest.raises(ValueError, match=message):
        students.read_roster(text)


def test_a_file_matching_two_roster_entries_is_that_files_error_not_the_classs(tmp_path):
    roster = students.read_roster("id,name,pattern\nann,Ann,*ann*\nanna,Anna,*anna*\n"
                                  "bo,Bo,*bo*\n")
    paths = [tmp_path / "anna.ipynb", tmp_path / "bo_01_input_flattening.ipynb"]
    ambiguous, bo = students.assign(paths, [tmp_path], roster)
    assert "matches 2 roster entries" in ambiguous.problem and ambiguous.student not in ("ann", "anna")
    assert (bo.student, bo.problem) == ("bo", None)
    reports = [nb01(str(p)) for p in paths]
    book = gradebook.build(reports, [ambiguous, bo], roster)
    rows = {s["id"]: s for s in book["students"]}
    assert rows["bo"]["total"] == 4 and rows["ann"]["total"] == rows["anna"]["total"] == 0
    assert any("matches 2 roster entries" in e for e in rows[ambiguous.student]["flags"]["error"])


# --- gradebook -------------------------------------------------------------------------------

def class_of_three(tmp_path):
    reports = [nb01(str(tmp_path / "a" / "01.ipynb")),
               nb01(str(tmp_path / "b" / "01.ipynb"), flatten="failed",
                    timed_out=True, isolation="none", copied_reference=["nb01_unflatten"],
                    modified_check_cells=["nb01_flatten"], name_mismatch="named 04 but is 01"),
               nb01(str(tmp_path / "b" / "01 again.ipynb"), flatten="not_implemented"),
               broken(str(tmp_path / "c" / "01.ipynb"))]
    subs = students.assign([r.submission for r in reports], [tmp_path])
    return reports, subs


def test_gradebook_one_row_per_student_with_reasons_and_flags(tmp_path):
    reports, subs = class_of_three(tmp_path)
    book = gradebook.build(reports, subs)
    a, b, c = book["students"]
    assert [s["id"] for s in book["students"]] == ["a", "b", "c"]
    assert (a["total"], b["total"], c["total"], book["max_score"]) == (4, 2, 0, 5)
    # b's two submissions: the better one counts, and the note says so
    assert b["notebooks"]["01_input_flattening"]["submission"].endswith("01.ipynb")
    assert any("2 submissions" in n and "counted the best" in n for n in b["notes"])
    assert b["exercises"]["nb01_flatten"]["mistake"] == "Fortran order"   # the report's own
    f = b["flags"]
    assert f["timed_out"] and f["isolation"] == ["none"] and f["copied_reference"] == ["nb01_unflatten"]
    assert f["edited_check_cells"] == ["nb01_flatten"] and f["name_mismatch"]
    assert "copied nnlib's reference" in b["exercises"]["nb01_unflatten"]["why"]
    assert c["flags"]["error"] and c["flags"]["missing"] == ["01_input_flattening"]
    # every lost point has a note naming the exercise
    for s in (a, b):
        for ex_id, e in s["exercises"].items():
            if e["points"] < e["max_points"]:
                assert any(n.startswith(ex_id.split("_", 1)[1] + " ") for n in s["notes"]), ex_id
    assert "not implemented" in a["exercises"]["nb01_local_binary_pattern"]["why"]


def test_gradebook_csv_round_trip_keeps_every_flag(tmp_path):
    reports, subs = class_of_three(tmp_path)
    rows = list(csv.DictReader(io.StringIO(gradebook.to_csv(gradebook.build(reports, subs)))))
    assert [r["student"] for r in rows] == ["a", "b", "c"]
    b = rows[1]
    assert b["nb01_flatten"] == "0" and b["01_input_flattening total"] == "2" and b["total"] == "2"
    assert b["timed_out"] == "yes" and b["edited_check_cells"] == "nb01_flatten"
    assert b["copied_reference"] == "nb01_unflatten" and b["isolation"] == "none"
    assert "Fortran order" in b["notes"] and rows[2]["error"].startswith("01.ipynb: not a notebook")


def test_the_named_mistake_is_the_reports_own_never_read_from_the_message():
    r = ExerciseResult.from_json(row("nb01_flatten", 0, 2, "failed", "✘ flatten — case 1",
                                     mistake="batch axis last", hint="one row per image"))
    assert gradebook.why(r).endswith("(mistake: batch axis last)")
    unnamed = ExerciseResult.from_json(row("nb01_flatten", 0, 2, "failed",
                                           f"✘ flatten — case 1\n  likely mistake: {FORTRAN_HINT}"))
    assert "mistake:" not in gradebook.why(unnamed)


def test_write_atomic_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "ünïcødé 名前 'x'.csv"
    write_atomic(target, "old")
    write_atomic(target, "new ✔")
    assert target.read_text(encoding="utf-8") == "new ✔"
    assert os.listdir(target.parent) == [target.name]


# --- feedback --------------------------------------------------------------------------------

def test_feedback_escapes_everything_and_is_self_contained():
    rep = nb01("x.ipynb", flatten="failed", error="cell 3 printed <b>bold</b>")
    rep.exercises[1].message = "✘ unflatten — got <script>alert(1)</script> & more"
    page = feedback.render(rep, "s1", "<Eve> & \"Co\"")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;Eve&gt; &amp; &quot;Co&quot;" in page
    assert "Named mistake:</b> Fortran order" in page
    assert "Total: 2 / 5 points" in page
    assert "http" not in page.replace("http-equiv", "") and "src=" not in page


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b\\c:d*e?f", ".hidden", "名前" * 60,
                                  "CON\x00\x1f", "  "])
def test_safe_name_stays_inside_the_folder(name):
    safe = safe_name(name)
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert 0 < len(safe.encode("utf-8")) <= 80 and "\x00" not in safe


def test_feedback_files_one_per_submission_no_collisions(tmp_path):
    reports, subs = class_of_three(tmp_path)
    paths = feedback.write_all(tmp_path / "fb", reports, subs)
    assert len(set(paths)) == 4
    assert sorted(p.relative_to(tmp_path / "fb").as_posix() for p in paths) == [
        "a/01_input_flattening.html", "b/01_input_flattening-2.html",
        "b/01_input_flattening.html", "c/01.html"]


# --- class report ----------------------------------------------------------------------------

def test_class_report_counts_students_and_ranks_mistakes(tmp_path):
    reports, subs = class_of_three(tmp_path)
    reports.append(nb01(str(tmp_path / "d" / "01.ipynb"), flatten="failed"))
    subs = students.assign([r.submission for r in reports], [tmp_path])
    data = classreport.summarise(gradebook.build(reports, subs))
    assert data["students"] == 4
    top = data["mistakes"][0]
    # b counts once (its better submission has the mistake), d once: 2 of 4
    assert (top["mistake"], top["students"], top["of"], top["who"]) == ("Fortran order", 2, 4, ["b", "d"])
    assert top["hint"] == FORTRAN_HINT
    assert classreport.mistake_sentence(top).startswith("2 of 4: Fortran order (flatten")
    flatten = next(e for e in data["exercises"] if e["id"] == "nb01_flatten")
    assert flatten["passed"] == 1 and flatten["by_status"] == {"passed": 1, "failed": 2, "missing": 1}
    page = classreport.render(data)
    pngs = [base64.b64decode(s.split('"')[0]) for s in page.split("data:image/png;base64,")[1:]]
    assert len(pngs) == 3 and all(p.startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    assert page.count('class="summary"') == 3 and "<script" not in page


def test_class_report_without_named_mistakes_says_so(tmp_path):
    reports = [nb01(str(tmp_path / "a.ipynb"))]
    subs = students.assign([r.submission for r in reports], [tmp_path])
    data = classreport.summarise(gradebook.build(reports, subs))
    page = classreport.render(data)
    assert data["mistakes"] == [] and "No submission matched a named mistake" in page
    assert page.count("data:image/png;base64,") == 2


# --- Gradescope's results format --------------------------------------------------------------

CONFIG = {"notebook": "01_input_flattening", "seed": 3, "max_score": 5,
          "exercises": [{"id": "nb01_flatten", "name": "flatten", "points": 2},
                        {"id": "nb01_unflatten", "name": "unflatten", "points": 1},
                        {"id": "nb01_scale_pixels", "name": "scale_pixels", "points": 1},
                        {"id": "nb01_local_binary_pattern", "name": "local_binary_pattern",
                         "points": 1}]}


@pytest.mark.parametrize("report", [nb01("x.ipynb", flatten="failed", seed=3), None,
                                    broken("x.ipynb"),
                                    nb01("x.ipynb", notebook="04_cost")])
def test_results_follow_gradescopes_format(report):
    res = autograder.results_from(report, CONFIG, 1.4)
    jsonschema.validate(res, SCHEMA)
    assert res["score"] == sum(t["score"] for t in res["tests"])
    assert [t["number"] for t in res["tests"]] == ["01.1", "01.2", "01.3", "01.4"]
    if report is None or report.notebook != "01_input_flattening":
        assert res["score"] == 0 and all(t["status"] == "failed" for t in res["tests"])
    else:
        assert res["score"] == 2 and "likely mistake" in res["tests"][0]["output"]


def test_schema_refuses_what_gradescope_does_not_document():
    good = autograder.results_from(None, CONFIG)
    for bad in (dict(good, visibility="public"),
                dict(good, tests=[dict(good["tests"][0], status="partial")]),
                dict(good, scroe=1)):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, SCHEMA)


def test_resolve_notebook():
    assert gradescope.resolve_notebook("notebooks/04_cost.ipynb") == "04_cost"
    assert gradescope.resolve_notebook("04") == "04_cost"
    with pytest.raises(ValueError, match="not a course notebook"):
        gradescope.resolve_notebook("99_nothing")


def test_feedback_tells_the_student_about_time_limits_copies_and_edited_checks():
    rep = nb01("x.ipynb", timed_out=True, copied_reference=["nb01_unflatten"],
               modified_check_cells=["nb01_flatten"], seed=12)
    page = feedback.render(rep, "s1")
    assert "Time limit:" in page and "nb01_unflatten" in page and "check cells were changed" in page
    assert "hidden-case seed 12" in page
    assert "Time limit:" not in feedback.render(nb01("x.ipynb"), "s1")


def test_exercise_messages_can_wait_for_the_due_date():
    res = autograder.results_from(nb01("x.ipynb"), dict(CONFIG, test_visibility="after_due_date"))
    jsonschema.validate(res, SCHEMA)
    assert res["visibility"] == "visible"
    assert {t["visibility"] for t in res["tests"]} == {"after_due_date"}
    with pytest.raises(ValueError, match="test visibility must be one of"):
        gradescope.export("04_cost", "x.zip", test_visibility="later")


# --- files a teacher opens, whatever the students named theirs -------------------------------

FORMULAS = ["=HYPERLINK(\"x\",\"y\")", "+SUM(1,1)", "-2+3", "@cmd", "\tx", "\rx"]


@pytest.mark.parametrize("name", FORMULAS)
def test_csv_cells_are_never_spreadsheet_formulas(tmp_path, name):
    from nncourse.grading.outputs import csv_text
    reports = [nb01(str(tmp_path / name / "01_input_flattening.ipynb"))]
    subs = students.assign([r.submission for r in reports], [tmp_path])
    for text in (gradebook.to_csv(gradebook.build(reports, subs)), csv_text(reports)):
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    book_rows = list(csv.DictReader(io.StringIO(gradebook.to_csv(gradebook.build(reports, subs)))))
    assert book_rows[0]["student"] == "'" + name


def test_terminal_tables_print_no_control_characters(tmp_path):
    from nncourse.grading.outputs import summary_table
    forged = "eve\x1b[2K\rforged-student 0/5\n\x1b[31m"
    reports = [nb01(str(tmp_path / forged / "01_input_flattening.ipynb"))]
    subs = students.assign([r.submission for r in reports], [tmp_path])
    for text in (summary_table(reports, [s.student for s in subs]),
                 gradebook.table(gradebook.build(reports, subs))):
        lines = text.splitlines()
        assert len(lines) == 2 and not any(c in text for c in "\x1b\r"), text
        assert not lines[1].startswith("forged")


def test_grade_table_tells_students_apart_in_nbgraders_layout(tmp_path):
    from nncourse.grading.outputs import summary_table
    paths = [tmp_path / "submitted" / s / "ps1" / "01_input_flattening.ipynb"
             for s in ("alice", "bob")]
    reports = [nb01(str(p)) for p in paths]
    subs = students.assign([r.submission for r in reports], [tmp_path / "submitted"])
    rows = summary_table(reports, [s.student for s in subs]).splitlines()[1:]
    assert rows[0].startswith("alice") and rows[1].startswith("bob")
    assert rows[0].split()[1] != rows[1].split()[1]


def test_feedback_folders_are_one_per_student(tmp_path):
    reports = [nb01(str(tmp_path / s / "01_input_flattening.ipynb")) for s in ("bob", "bob.", "Bob")]
    subs = students.assign([r.submission for r in reports], [tmp_path])
    paths = feedback.write_all(tmp_path / "fb", reports, subs)
    assert len({p.parent for p in paths}) == 3, paths


@pytest.mark.parametrize("content, kind, says", [
    (b"", "empty", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", "PNG image"),
    (b"import numpy as np\nprint(1)\n", "not_a_notebook", "not notebook JSON"),
    (b'{"hello": "world"}', "not_a_notebook", "without cells"),
    ("truncated", "truncated", "cut short"),
    ("other course", "not_this_course", "not one of this course's"),
])
def test_a_file_that_is_not_a_notebook_says_which_and_what_to_do(tmp_path, content, kind, says):
    from nncourse.build.notebooks import NOTEBOOKS
    from nncourse.grading.grader import grade_file
    if content == "truncated":
        content = (NOTEBOOKS / "04_cost.ipynb").read_bytes()[:5000]
    elif content == "other course":
        content = json.dumps({"cells": [{"cell_type": "code", "source": "x = 1",
                                         "metadata": {}}], "metadata": {}}).encode()
    path = tmp_path / "alice" / "04_cost.ipynb"
    path.parent.mkdir()
    path.write_bytes(content)
    report = grade_file(path, seed=1, isolation="none")
    assert (report.error_kind, report.graded) == (kind, False) and says in report.error, report
    page = feedback.render(report, "alice")
    assert "Not graded" in page and "0 / 0" not in page and "What to do" in page
    assert "File → Download" in page or kind == "not_this_course" and "course notebook" in page


def test_shared_outputs_are_readable_by_others(tmp_path):
    """Reports, gradebooks, feedback and zips get a new file's usual mode (0644 under the
    common umask 022), not mkstemp's 0600."""
    from nncourse import files
    path = write_atomic(tmp_path / "gradebook.csv", "x")
    assert path.stat().st_mode & 0o777 == 0o666 & ~files._UMASK
    assert files._UMASK != 0o022 or path.stat().st_mode & 0o777 == 0o644
