"""Show a merged report to reviewers: a self-contained HTML page, Markdown, a terminal view.

Every value comes with its sources and quotes, and the page highlights each quote in its
article, so a reviewer can check the report field by field without reading JSON. `common`
holds what the three views share; `page`, `markdown` and `terminal` render one each.
"""

from .common import load_for_review
from .markdown import render_markdown
from .page import render_events_html, render_html
from .terminal import render_events_terminal, render_terminal

__all__ = [
    "load_for_review",
    "render_events_html",
    "render_events_terminal",
    "render_html",
    "render_markdown",
    "render_terminal",
]
