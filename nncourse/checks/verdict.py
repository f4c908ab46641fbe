"""What a check found: a :class:`Result`, and how a notebook shows it (symbol, word, colour)."""

from dataclasses import dataclass, field


@dataclass
class Result:
    """What a check found. ``status`` is one of: passed, failed, not_implemented, error,
    timeout."""
    exercise: str
    name: str
    status: str
    message: str
    cases_passed: int = 0
    cases_total: int = 0
    mistake: object = None        # the known Mistake the output matched, if any
    extra: dict = field(default_factory=dict)

    @property
    def passed(self):
        return self.status == "passed"

    def as_dict(self):
        return {"id": self.exercise, "name": self.name, "status": self.status,
                "passed": self.passed, "message": self.message,
                "cases_passed": self.cases_passed, "cases_total": self.cases_total,
                "mistake": self.mistake.name if self.mistake else None,
                "hint": self.mistake.hint if self.mistake else None}

    def __repr__(self):
        return self.message

    def _repr_html_(self):
        return render_html(self.status, self.message)


# pass / fail / not yet: a symbol, a word and a colour, so no state is told by colour alone
STYLES = {"passed": ("#1b7837", "#f0f7f1", "passed"),
          "not_implemented": ("#7a6a00", "#fbf8e6", "not done yet"),
          "failed": ("#b2182b", "#fbf0f0", "not yet right")}


def render_html(status, message):
    """A check's message as HTML: wraps at words, `code` as code, a labelled side bar."""
    import html
    import re
    colour, background, word = STYLES.get(status, STYLES["failed"])
    body = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", html.escape(message))
    return (f'<div role="status" aria-label="check: {word}" style="border-left: 6px solid '
            f'{colour}; background: {background}; padding: 6px 10px; margin: 2px 0">'
            f'<pre style="margin: 0; white-space: pre-wrap; word-break: normal; '
            f'overflow-wrap: break-word; font-size: 0.95em; background: none">{body}</pre></div>')
