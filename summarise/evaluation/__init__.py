"""Score per-article reports against gold annotations (rules in `gold/README.md`).

Precision, recall and F1 per field, stance accuracy, grounding and invented attendees, per
article and in total, so that prompt and model changes are compared on the same articles.
Deterministic; no model call.

Where the README leaves a choice open, this module decides as follows:
- Names are compared case-folded with runs of whitespace collapsed; "contains as a whole word"
  means not preceded or followed by a letter or digit ("Kumaraswamy" does not contain "Kumar").
- A name holding two gold names ("Adani Defence CEO Ashish Rajvanshi") matches one of them
  (one to one), preferring an equal name, then the same kind (person, organisation...).
- A predicted attendee that matches a gold name which another predicted attendee already took
  is a duplicate: neither right nor a false positive (`ignored`).
- Invented attendees are the attendee false positives: names matching no gold name or alias
  that either match a `not_attendees` name (checked before the optional names, so "Tata Sons
  executives" is invented although "executives" is optional) or match no listed name at all.
- Stances are compared literally: a report cannot say `disputed`, so only the gold stances a
  report can express count (`denied` is right where gold accepts `denied`).
- Dates without any bound are not scored; a missing bound is open-ended. False positives are
  the predicted dates that overlap a gold interval without lying within any.
- An aligned span re-reads exactly when it carries the report's source id and
  `source.text[start:end]` equals its quote.
- Undefined ratios (0/0) are `None`, not 0 or 1.
"""

from .gold import Gold, GoldAttendee, GoldDate, GoldDenial, GoldKeywordItem, GoldStance, load_gold
from .scores import (
    ArticleScore,
    EvalResult,
    FieldScore,
    Finding,
    GroundingScore,
    Outcome,
    Scores,
    StanceScore,
)
from .scoring import evaluate, score_missing, score_report
from .table import eval_table

__all__ = [
    "ArticleScore",
    "EvalResult",
    "FieldScore",
    "Finding",
    "Gold",
    "GoldAttendee",
    "GoldDate",
    "GoldDenial",
    "GoldKeywordItem",
    "GoldStance",
    "GroundingScore",
    "Outcome",
    "Scores",
    "StanceScore",
    "eval_table",
    "evaluate",
    "load_gold",
    "score_missing",
    "score_report",
]
