"""Every command as a user types it, typos and bad paths included: a mistake is one line on
stderr and exit status 2, before any work, with no traceback and nothing written."""

import subprocess
import sys
from pathlib import Path

import pytest

from nncourse.build.notebooks import NOTEBOOKS


def nncourse(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "nncourse", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def refused(*args, says, cwd=None):
    code, out, err = nncourse(*args, cwd=cwd)
    assert code == 2, (args, code, out, err)
    assert "Traceback" not in err and "Traceback" not in out, err
    assert says in err, err
    assert len(err.strip().splitlines()) <= 2, err      # argparse adds its usage line
    return err


@pytest.fixture
def submission(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "04_cost.ipynb").write_text((NOTEBOOKS / "04_cost.ipynb").read_text())
    return folder


def nothing_written(*paths):
    for p in paths:
        assert not Path(p).exists(), f"{p} was written"


def test_grade_a_path_that_does_not_exist(tmp_path):
    refused("grade", tmp_path / "nonexistent", says="no such file or folder")


def test_grade_an_empty_folder(tmp_path):
    refused("grade", tmp_path, says="no notebooks")


@pytest.mark.parametrize("flag, value", [("--timeout", "-1"), ("--jobs", "0"),
                                         ("--notebook-timeout", "0"), ("--check-time", "x"),
                                         ("--memory", "-5")])
def test_grade_numbers_out_of_range(submission, flag, value):
    refused("grade", submission, flag, value, says=flag)


@pytest.mark.parametrize("flag", ["--csv", "--json", "--gradebook", "--report",
                                  "--gradebook-json", "--report-json"])
def test_grade_unwritable_outputs_before_grading(submission, tmp_path, flag):
    fb = tmp_path / "fb"
    refused("grade", submission, flag, "/proc/nope/out.txt", "--feedback", fb,
            "--json", tmp_path / "r.json" if flag != "--json" else "/proc/x.json",
            says="cannot write")
    nothing_written(fb, tmp_path / "r.json")


def test_grade_an_output_that_is_a_folder(submission, tmp_path):
    refused("grade", submission, "--csv", tmp_path, says="is a folder")


def test_grade_feedback_into_a_file(submission, tmp_path):
    (tmp_path / "fb").write_text("x")
    refused("grade", submission, "--feedback", tmp_path / "fb", says="is a file")


def test_grade_a_missing_roster_even_without_outputs(submission, tmp_path):
    refused("grade", submission, "--roster", tmp_path / "missing.csv", says="no such roster")


def test_grade_a_bad_roster_before_grading(submission, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,pattern\nAna,*a*\n")
    refused("grade", submission, "--roster", roster, "--gradebook", tmp_path / "g.csv",
            says="no student id column")
    nothing_written(tmp_path / "g.csv")


def test_progress_typos_and_empty_folders(tmp_path):
    refused("progress", tmp_path / "nonexistent", says="no such folder")
    refused("progress", tmp_path, says="no course notebooks")
    (tmp_path / "x.ipynb").write_text("{}")
    refused("progress", tmp_path / "x.ipynb", says="not a folder")


def test_update_a_workspace_that_does_not_exist(tmp_path):
    refused("update", "--workspace", tmp_path / "typo", says="there is no workspace")
    nothing_written(tmp_path / "typo")


def test_workspace_where_nothing_can_be_written():
    refused("workspace", "--workspace", "/proc/ws", says="cannot write")


def test_release_into_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").write_text("mine")
    refused("release", tmp_path, says="is not an empty folder")
    assert (tmp_path / "x").read_text() == "mine"


def test_export_a_notebook_that_is_not_in_the_course(tmp_path):
    refused("export", "gradescope", "99_nope", "-o", tmp_path / "a.zip",
            says="not a course notebook")
    nothing_written(tmp_path / "a.zip")


def test_export_where_nothing_can_be_written():
    refused("export", "gradescope", "04_cost", "-o", "/proc/a.zip", says="cannot write")


def test_notebooks_of_a_path_that_does_not_exist(tmp_path):
    refused("notebooks", tmp_path / "nope.ipynb", says="no such solution notebook")
