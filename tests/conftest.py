"""Shared by every test: each grader report a test produces is checked against the report's
published JSON Schema (nncourse/report.schema.json)."""

import pytest

from nncourse import results


def validate_reports(data):
    """Raise unless ``data`` (the JSON of ``nncourse grade --json``: a list of reports, or one
    report) follows the schema."""
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (a test extra) is missing")
    jsonschema.validate(data if isinstance(data, list) else [data], results.schema())
    return data


@pytest.fixture(autouse=True)
def every_report_follows_the_schema(monkeypatch):
    to_json = results.SubmissionReport.to_json

    def checked(self):
        return validate_reports(to_json(self))

    monkeypatch.setattr(results.SubmissionReport, "to_json", checked)
