"""R20: which captured comments and messages are questions, which of the account's own replies answers
one, and whether an answer is signed. The rules in one place, to read and to tune.

"Redaktören ska bevaka kommentarer och besvara frågor i kommentarer och meddelanden. Frågor ska under
vardagar besvaras inom 24 timmar. Svaret ska avslutas med namn och avdelning för den som besvarat
frågan."

A question (is_question). A comment or message counts when it is
- not written by the account itself, and not hidden by the account (hidden content is moderated, not
  answered: R21), and
- (a) it contains a question mark (QUESTION_MARKS), or
- (b) it is a comment written straight to the account, on the account's own post or as a reply to
  the account's own comment, and its first word is one that opens a Swedish question
  (QUESTION_WORDS: "Hur gör man …", "Finns det …", "Kan ni …"), or
- (c) it is a private message that opens the person's turn in a conversation: the first message
  from them since the account last wrote (or since the conversation began). Messages to the account
  are questions unless an editor marks one otherwise; the messages that follow it before the
  account writes back belong to the same question.

Editors mark what the rule took wrongly as "not a question" (with a reason): the rule stays simple,
and what it gets wrong is recorded, with who and why.

History (HISTORY): when an account is connected, its platform gives years of comments. What was
published more than HISTORY before the connection was made is before the portal watched the
account, and is not made a question (it would only be overdue, R20, for no one's benefit).

The answer (answer_for): the account's first reply after the question
- to a comment: a comment by the account whose parent is the question, or which answers the same
  comment the question answers (platforms such as Facebook keep a conversation under a comment
  one level deep, so a reply to a reply has the first comment as its parent);
- to a message: the account's next message in the same conversation.
Answered at = the reply's publication time. Time to answer is elapsed time (what the person waited),
while the R20 deadline itself counts weekdays only (moderation/deadlines.py).

The signature (is_signed): tolerant, as people sign in many ways. The answer's last line must hold
- a name: a "/Name" signature, or the first name of one of the account's editors, and
- a department: the name of the account's unit (or a unit above it), or a word that names a
  department or a role in one (DEPARTMENT_WORDS).
"/Karin, kommunikatör", "Hälsningar Rebecka på Biblioteket" and "/Rebecka Redaktör, Biblioteket"
are signed; "Ja, kl. 12–14 vid Trätorget!" is not.

Every list can be tuned in the settings (QUESTION_RULES, a dict with the names below in lower case).
"""

import datetime
import re
from dataclasses import dataclass, replace

from django.conf import settings

QUESTION_MARKS = ("?", "？", "¿")
# Words that open a question in Swedish, as the first word of a comment: the interrogatives, and
# the verbs that open a yes/no question when they come first ("Finns det …", "Kan man …").
QUESTION_WORDS = frozenset(
    {
        "vem", "vems", "vad", "var", "vart", "varifrån", "när", "hur", "varför", "vilken", "vilket", "vilka",
        "kan", "får", "finns", "går", "ska", "skall", "har", "är", "blir", "behöver", "måste", "gäller",
        "stämmer", "kommer", "vet", "undrar",
    }
)  # fmt: skip
# Words (or the start of words) of a department or a role in one, for the signature.
DEPARTMENT_WORDS = (
    "förvaltning", "avdelning", "enhet", "kontor", "kommunikat", "bibliotek", "museum", "museet",
    "räddningstjänst", "kontaktcenter", "skola", "skolan", "gymnasi", "fritid", "kultur", "samhällsbygg",
    "socialtjänst", "omsorg", "kundtjänst", "redaktion", "redaktör",
)  # fmt: skip
HISTORY = datetime.timedelta(days=30)


@dataclass(frozen=True)
class QuestionRules:
    question_marks: tuple[str, ...] = QUESTION_MARKS
    question_words: frozenset[str] = QUESTION_WORDS
    department_words: tuple[str, ...] = DEPARTMENT_WORDS
    history: datetime.timedelta = HISTORY


def rules() -> QuestionRules:
    """The rules, with what the settings' QUESTION_RULES changes."""
    overrides = dict(getattr(settings, "QUESTION_RULES", {}) or {})
    if "history_days" in overrides:
        overrides["history"] = datetime.timedelta(days=overrides.pop("history_days"))
    for name in ("question_marks", "department_words"):
        if name in overrides:
            overrides[name] = tuple(overrides[name])
    if "question_words" in overrides:
        overrides["question_words"] = frozenset(word.lower() for word in overrides["question_words"])
    return replace(QuestionRules(), **overrides)


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def first_word(text: str) -> str:
    match = _WORD.search(text or "")
    return match.group(0).lower() if match else ""


def asks(text: str, direct: bool, rule: QuestionRules) -> bool:
    """(a) a question mark anywhere, or (b) written straight to the account and opening with a
    question word."""
    text = text or ""
    if any(mark in text for mark in rule.question_marks):
        return True
    return direct and first_word(text) in rule.question_words


# The signature. ----------------------------------------------------------------------------------

# A "/Name" signature: a slash after a space (or at the start of the line) and then a letter; a link
# (falkoping.se/avfall) has no space before its slash.
_SLASH_NAME = re.compile(r"(?:^|\s)/\s*[^\W\d_]")


def last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def is_signed(text: str, first_names, unit_names, rule: QuestionRules | None = None) -> bool:
    """R20: the answer ends with the name and department of whoever answered (the module's docstring).
    `first_names`: the first names of the account's editors; `unit_names`: its unit and those above."""
    rule = rule or rules()
    line = last_line(text)
    lowered = line.lower()
    words = set(_WORD.findall(lowered))
    named = bool(_SLASH_NAME.search(line)) or any(name.lower() in words for name in first_names if name)
    department = any(unit.lower() in lowered for unit in unit_names if unit) or any(
        word in lowered for word in rule.department_words
    )
    return named and department
