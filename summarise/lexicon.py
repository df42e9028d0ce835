"""Words that signal how a sentence bears on a party: taking part, denying, attribution.

General news language only (no word of any one story), used by the checks in code.
"""

from __future__ import annotations

import re

__all__ = [
    "ATTENDANCE_WORDS",
    "ATTRIBUTION",
    "DENIAL_CUE",
    "GENERIC_NAME_WORDS",
    "MEMBERSHIP",
    "TAKING_PART",
]

# A denial's claim that speaks of attending (the denier then becomes a `denied` attendee).
ATTENDANCE_WORDS = re.compile(
    r"meet|attend|travel|visit|trip|took part|particip|present|represent|link|moscow|russia", re.I
)
# Words that name no one on their own, ignored when matching a name's distinctive words.
GENERIC_NAME_WORDS = frozenset(
    ("the", "a", "an", "of", "and", "for", "group", "ltd", "limited", "inc", "co", "company",
     "companies", "corp", "defence", "defense", "industries", "industry")
)  # fmt: skip
# "X represents 500 companies, including A and B": A and B are members, not participants.
MEMBERSHIP = re.compile(
    r"\b(?:represent\w*|members?|compris\w*)\b.*?\b(?:including|such as|like|among them)\b",
    re.I,
)
DENIAL_CUE = re.compile(
    r"\b(?:den(?:y|ies|ied|ial)|incorrect|untrue|false|not true|never|reject\w*)\b", re.I
)
ATTRIBUTION = re.compile(
    r"\b(?:sources?|reports?|reported|said|says|according|told|familiar|suggest\w*)\b", re.I
)
# Words that tie a sentence to taking part in meetings; an attendee must be named in such a
# sentence (pages often carry unrelated headlines whose people a small model lists too).
TAKING_PART = re.compile(
    r"\b(?:meet\w*|met|attend\w*|travel\w*|visit\w*|trip|took part|take part|particip\w*|"
    r"present|represent\w*|delegat\w*|talks|discuss\w*|led by|headed by|heading|"
    r"accompan\w*|sidelines)\b",
    re.I,
)
