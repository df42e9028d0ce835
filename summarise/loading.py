"""Read articles from text, Markdown, HTML and JSON files into `Article`s.

The text is normalised once here; evidence offsets refer to exactly that stored text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

from .errors import InputError
from .models import Article

MAX_ARTICLE_BYTES = 5 * 1024 * 1024
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json")

# Share of control bytes (other than whitespace) above which a file is treated as binary.
_MAX_CONTROL_SHARE = 0.05
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])
# cp1252 fallback: western text is mostly ASCII; more than this share of non-ASCII among the
# non-space characters means some other encoding (e.g. Cyrillic cp1251) or junk.
_MAX_NON_ASCII_SHARE = 0.25
# UTF-8 multi-byte sequences: in a file that is not valid UTF-8 they mean mixed encodings,
# and cp1252 would turn them into mojibake such as "â€™".
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2\xc3][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)

# What `summarise()` and friends accept as an article: text (a str is never a path), a file, or
# an Article.
ArticleInput = str | Path | Article

_JSON_KEYS = '"text" (string) and optional "id", "title", "url", "published"'


def normalise_text(text: str) -> str:
    """NFC, newlines as "\\n", no BOM, no surrounding whitespace: the text offsets refer to."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()


def load_article(path: str | Path) -> Article:
    """Read one article file (.txt, .md, .html, .htm or .json); raise InputError if unusable."""
    path = Path(path)
    raw = _read_bytes(path)
    content = _decode(path, raw)
    suffix = path.suffix.lower()
    if suffix == ".json":
        article = _from_json(path, content)
    elif suffix in (".html", ".htm"):
        article = _from_html(path, content)
    else:
        article = Article(id=path.stem, text=normalise_text(content))
    if not article.text:
        raise InputError(f"{path} contains no article text")
    return article


def as_article(article: ArticleInput) -> Article:
    """Coerce input to an Article: a str is article text (never a path), a Path is a file."""
    if isinstance(article, Article):
        text = normalise_text(article.text)
        result = article if text == article.text else article.model_copy(update={"text": text})
    elif isinstance(article, Path):
        return load_article(article)
    elif isinstance(article, str):
        result = Article.from_text(normalise_text(article))
    else:
        raise TypeError(
            f"expected article text, a Path or an Article, got {type(article).__name__}"
        )
    if not result.text:
        raise InputError(f"article {result.id!r} has no text")
    return result


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if path.is_dir():
        raise InputError(f"{path} is a directory, not an article file")
    if not path.is_file():
        raise InputError(f"{path} is not a regular file")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise InputError(f"{path} has an unsupported type; supported: {supported}")
    _check_size(path, path.stat().st_size)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    _check_size(path, len(raw))
    if not raw.strip():
        raise InputError(f"{path} is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path} is UTF-16 text; save it as UTF-8")
    control = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    if b"\x00" in raw or control > _MAX_CONTROL_SHARE * len(raw):
        raise InputError(f"{path} looks like a binary file, not text")
    return raw


def _check_size(path: Path, size: int) -> None:
    if size > MAX_ARTICLE_BYTES:
        raise InputError(
            f"{path} is {size / 2**20:.1f} MB; articles are limited to "
            f"{MAX_ARTICLE_BYTES / 2**20:.0f} MB"
        )


def _decode(path: Path, raw: bytes) -> str:
    """UTF-8 (BOM or not); cp1252 only when it plainly yields western text."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        error = exc
    text = _cp1252_text(raw)
    if text is None:
        raise InputError(
            f"{path} is not UTF-8 text (invalid byte 0x{raw[error.start]:02x} at offset "
            f"{error.start}); save it as UTF-8"
        )
    return text


def _cp1252_text(raw: bytes) -> str | None:
    if _UTF8_SEQUENCE.search(raw):
        return None
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return None
    visible = [ch for ch in text if not ch.isspace()]
    non_ascii = [ch for ch in visible if not ch.isascii()]
    return None if len(non_ascii) > _MAX_NON_ASCII_SHARE * len(visible) else text


def _parse_date(value: str) -> date:
    """An ISO date or datetime string as a date (a datetime keeps its own calendar day)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return datetime.fromisoformat(value).date()


def _from_json(path: Path, content: str) -> Article:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from exc
    if not isinstance(data, dict):
        raise InputError(
            f"{path} holds a JSON {type(data).__name__}; expected one object with {_JSON_KEYS}"
        )
    if not isinstance(data.get("text"), str):
        raise InputError(f'{path} has no "text" string; expected an object with {_JSON_KEYS}')
    fields: dict[str, object] = {"text": normalise_text(data["text"]), "id": path.stem}
    for key in ("id", "title", "url", "published"):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(f'{path}: "{key}" must be a string, got {json.dumps(value)}')
        if key == "published":
            try:
                fields[key] = _parse_date(value)
            except ValueError as exc:
                raise InputError(
                    f'{path}: "published" must be an ISO date or datetime, got {value!r}'
                ) from exc
        elif value.strip():
            fields[key] = value.strip()
    return Article.model_validate(fields)


def html_hidden_text(content: str) -> list[str]:
    """The text of an HTML page that a browser does not show, in page order.

    The content of elements with a `hidden` attribute, `aria-hidden="true"` or an inline style
    that hides it (display:none, visibility:hidden, opacity:0, a font under 4px, white text),
    and the text of HTML comments. `load_article` leaves all of it out of the article; this
    tells that a page carried such text (e.g. instructions addressed to a model).
    """
    parser = _HTMLArticleParser()
    parser.feed(content)
    parser.close()
    return parser.hidden_text()


def _from_html(path: Path, content: str) -> Article:
    parser = _HTMLArticleParser()
    parser.feed(content)
    parser.close()
    return Article(
        id=path.stem,
        text=normalise_text(parser.text()),
        title=parser.title(),
        url=parser.url(),
        published=parser.published(),
        hidden=parser.hidden_text(),
    )


_SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form"}
)
_PARAGRAPH_TAGS = frozenset(
    {"p", "div", "section", "article", "main", "blockquote", "ul", "ol", "table", "figure"}
    | {"figcaption", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_LINE_TAGS = frozenset({"br", "li", "tr", "dt", "dd"})
_CELL_TAGS = frozenset({"td", "th"})
_PUBLISHED_META = ("article:published_time", "og:published_time", "<time>", "date")
_PARAGRAPH, _LINE = "\n\n", "\n"
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
    | {"param", "track"}
)
# A hidden <p> or <li> ends where a browser closes it implicitly: at the next block or item.
_CLOSES_P = _PARAGRAPH_TAGS | {"li", "dl", "nav", "header", "footer", "aside", "form"}
_WHITE = re.compile(
    r"#f{3}(?:f{3})?(?:ff)?|white|rgba?\(\s*255\s*,\s*255\s*,\s*255\s*(?:,[^)]*)?\)"
    r"|hsla?\(\s*\d+(?:deg)?\s*,\s*\d+%\s*,\s*100%\s*(?:,[^)]*)?\)"
)
_FONT_SIZE = re.compile(r"(\d*\.?\d+)\s*(px|pt|em|rem|%)?")
# Font sizes below these, per unit, are unreadable (4px; 0.25em of a 16px default).
_MIN_FONT = {"px": 4.0, "pt": 3.0, "em": 0.25, "rem": 0.25, "%": 25.0, "": 0.0}


def _hidden_by(attr: dict[str, str]) -> str | None:
    """Why an element's content is not shown ("aria" for aria-hidden alone), or None."""
    if "hidden" in attr:
        return "hidden"
    style: dict[str, str] = {}
    for declaration in attr.get("style", "").split(";"):
        name, _, value = declaration.partition(":")
        style[name.strip().lower()] = value.lower().replace("!important", "").strip()
    font = _FONT_SIZE.fullmatch(style.get("font-size", ""))
    opacity = _FONT_SIZE.fullmatch(style.get("opacity", ""))
    background = style.get("background-color") or style.get("background") or ""
    # white text is unreadable unless the element sets a background of its own
    white = _WHITE.fullmatch(style.get("color", "")) and not (
        background and not _WHITE.search(background)
    )
    if (
        style.get("display") == "none"
        or style.get("visibility") in ("hidden", "collapse")
        or (opacity and float(opacity[1]) / (100 if opacity[2] == "%" else 1) < 0.1)
        or (font and (float(font[1]) == 0 or float(font[1]) < _MIN_FONT.get(font[2] or "", 0.0)))
        or white
        or style.get("color") == "transparent"
    ):
        return "style"
    if attr.get("aria-hidden", "").strip().lower() == "true":
        return "aria"
    return None


class _HTMLArticleParser(HTMLParser):
    """Collects the readable text of <article>, <main> and the whole page, plus metadata."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._skip_depth = 0
        self._in_head = False
        self._in_title = False
        self._article_depth = 0
        self._main_depth = 0
        self._articles: list[list[str]] = []
        self._main: list[str] = []
        self._page: list[str] = []
        self._title: list[str] = []
        self._meta: dict[str, str] = {}
        # The outermost element whose content is not shown: its tag, why, the tags opened
        # inside it and not yet closed, and what it would have emitted.
        self._hidden_tag: str | None = None
        self._hidden_why = ""
        self._hidden_open: dict[str, int] = {}
        self._hidden_parts: list[str] = []
        self._hidden_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if (
            self._hidden_tag is not None
            and (
                (self._hidden_tag == "p" and tag in _CLOSES_P)
                or (self._hidden_tag == "li" and tag == "li" and not self._hidden_open.get("li"))
            )
            and not any(self._hidden_open.values())
        ):
            self._end_hidden()
        if tag not in _VOID_TAGS:
            if self._hidden_tag is not None:
                self._hidden_open[tag] = self._hidden_open.get(tag, 0) + 1
            elif (why := _hidden_by(attr)) and not self._in_head:
                self._hidden_tag, self._hidden_why = tag, why
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag == "head":
            self._in_head = True
        elif tag == "body":
            self._in_head = False
        elif tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = (attr.get("property") or attr.get("name") or "").lower()
            if key and attr.get("content", "").strip():
                self._meta.setdefault(key, attr["content"].strip())
        elif tag == "link" and "canonical" in attr.get("rel", "").lower().split():
            self._meta.setdefault("canonical", attr.get("href", "").strip())
        elif tag == "time" and attr.get("datetime", "").strip():
            self._meta.setdefault("<time>", attr["datetime"].strip())
        elif tag == "article":
            if self._article_depth == 0:
                self._articles.append([])
            self._article_depth += 1
        elif tag == "main":
            self._main_depth += 1
        self._break_for(tag, start=True)

    def handle_endtag(self, tag: str) -> None:
        ends_hidden = False
        if self._hidden_tag is not None:
            if self._hidden_open.get(tag):
                self._hidden_open[tag] -= 1
            elif tag == self._hidden_tag:
                ends_hidden = True
            elif tag not in _VOID_TAGS:  # an ancestor closes, and the hidden element with it
                self._end_hidden()
        self._break_for(tag, start=False)
        if ends_hidden:
            self._end_hidden()
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "head":
            self._in_head = False
        elif tag == "title":
            self._in_title = False
        elif tag == "article":
            self._article_depth = max(0, self._article_depth - 1)
        elif tag == "main":
            self._main_depth = max(0, self._main_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        elif not self._in_head:
            self._emit(re.sub(r"\s+", " ", data))

    def handle_comment(self, data: str) -> None:
        comment = " ".join(data.split())
        if not (self._in_head or self._skip_depth) and any(ch.isalpha() for ch in comment):
            self._hidden_text.append(comment)

    def close(self) -> None:
        super().close()
        if self._hidden_tag is not None:
            self._end_hidden()

    def _end_hidden(self) -> None:
        """Close the hidden element: drop its text, but show aria-hidden icons and quote marks."""
        parts, why = self._hidden_parts, self._hidden_why
        self._hidden_tag, self._hidden_open, self._hidden_parts = None, {}, []
        text = _plain(parts)
        if why == "aria" and not any(ch.isalnum() for ch in text):
            for piece in parts:  # decoration that a browser does show
                self._emit(piece)
        elif text:
            self._hidden_text.append(text)

    def hidden_text(self) -> list[str]:
        """The hidden passages and comments, in page order."""
        return list(self._hidden_text)

    def _break_for(self, tag: str, *, start: bool) -> None:
        if tag in _PARAGRAPH_TAGS:
            self._emit(_PARAGRAPH)
        elif (
            start and tag in _LINE_TAGS
        ):  # only at the start, so two list items are not a paragraph
            self._emit(_LINE)
        elif tag in _CELL_TAGS:
            self._emit(" ")

    def _emit(self, piece: str) -> None:
        if self._skip_depth or self._in_head:
            return
        if self._hidden_tag is not None:
            self._hidden_parts.append(piece)
            return
        self._page.append(piece)
        if self._main_depth:
            self._main.append(piece)
        if self._article_depth:
            self._articles[-1].append(piece)

    def text(self) -> str:
        """The longest <article>, else <main>, else the page, as plain paragraphs."""
        articles = sorted((_plain(parts) for parts in self._articles), key=len, reverse=True)
        for candidate in [*articles, _plain(self._main), _plain(self._page)]:
            if candidate:
                return candidate
        return ""

    def title(self) -> str | None:
        """og:title, else <title>."""
        title = self._meta.get("og:title") or " ".join("".join(self._title).split())
        return title or None

    def url(self) -> str | None:
        """The canonical link, else og:url."""
        return self._meta.get("canonical") or self._meta.get("og:url") or None

    def published(self) -> date | None:
        """The first parseable publication date among the usual meta tags and <time>."""
        for key in _PUBLISHED_META:
            value = self._meta.get(key)
            if value:
                try:
                    return _parse_date(value)
                except ValueError:
                    continue
        return None


def _plain(parts: list[str]) -> str:
    """Join emitted pieces: spaces collapsed, lines trimmed, at most one blank line in a row."""
    text = "".join(parts)
    lines = (re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
