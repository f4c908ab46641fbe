"""How a check's verdict looks: in JupyterLab (HTML) and as plain text (the grader's feedback)."""

import re

from nncourse.checks.judging import STYLES, Result, render_html


def test_each_state_differs_by_symbol_word_and_colour():
    messages = {"passed": "✔ f — 3/3 cases", "failed": "✘ f — case 1", "not_implemented":
                "… f — not implemented yet"}
    html = {s: render_html(s, m) for s, m in messages.items()}
    words = [re.search(r'aria-label="check: ([^"]+)"', h).group(1) for h in html.values()]
    colours = [re.search(r"border-left: 6px solid (#\w+)", h).group(1) for h in html.values()]
    assert len(set(words)) == len(set(colours)) == 3
    assert len({m[0] for m in messages.values()}) == 3          # ✔ ✘ …


def test_text_wraps_at_words_and_backticks_become_code():
    h = render_html("failed", "✘ f — wrong dtype: use `np.zeros_like(w)` & <b>")
    assert "word-break: normal" in h and "break-all" not in h and "pre-wrap" in h
    assert "<code>np.zeros_like(w)</code>" in h and "&lt;b&gt;" in h and "`" not in h


def test_plain_text_is_the_message_itself():
    r = Result("x", "f", "failed", "✘ f — case 1: expected 1, got 2")
    assert repr(r) == r.message and set(STYLES) == {"passed", "failed", "not_implemented"}
