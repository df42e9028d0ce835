"""Split an article too long for the model's context into pieces at natural boundaries.

Pieces keep every character and their offset in the whole text, so evidence found in a piece
is located in the stored article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CHARS_PER_TOKEN", "Chunk", "chunk_text", "split_text"]

# Conservative for news text (English, and most Latin-script languages): an estimate used to
# decide on chunking and to pace hosted APIs before their real token counts are known.
CHARS_PER_TOKEN = 3.5
_MIN_BUDGET_TOKENS = 256
_CUTS = (r"\n\s*\n", r"\n", r"[.!?][\"'\u201d\u2019)]?\s", r"\s")  # paragraph, line, sentence, word


@dataclass(frozen=True)
class Chunk:
    """A piece of a text and where it starts in the whole: `text == whole[offset:offset+len]`."""

    text: str
    offset: int


def split_text(text: str, max_chars: int) -> list[Chunk]:
    """Split at paragraph, then line, sentence and word boundaries into pieces of <= max_chars.

    A boundary is used only past the first third of a piece, so pieces stay large; text with
    no boundary at all is cut at `max_chars`. Whitespace-only pieces are dropped.
    """
    chunks: list[Chunk] = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = -1
        for pattern in _CUTS:
            ends = [m.end() for m in re.finditer(pattern, window)]
            if ends and ends[-1] > max_chars // 3:
                cut = ends[-1]
                break
        cut = cut if cut > 0 else max_chars
        chunks.append(Chunk(text[start : start + cut], start))
        start += cut
    chunks.append(Chunk(text[start:], start))
    return [c for c in chunks if c.text.strip()]


def chunk_text(text: str, *, context_tokens: int, reserved_tokens: int) -> list[Chunk]:
    """The pieces of `text` that fit a context window with `reserved_tokens` kept for the
    instructions and the answer."""
    budget = max(context_tokens - reserved_tokens, _MIN_BUDGET_TOKENS)
    return split_text(text, int(budget * CHARS_PER_TOKEN))
