"""Extraction end to end (replayed from cassettes) and its failure modes (faulty transports)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import openai
import pytest
from pydantic import SecretStr

from summarise.backends.transport import LlamaCppTransport, rewrite_json_schema
from summarise.chunking import split_text
from summarise.config import Config
from summarise.errors import BackendError, ExtractionError, InputError
from summarise.extraction import asummarise, prompt_version, summarise
from summarise.loading import load_article
from summarise.models import DefenceMeetingReport

from .conftest import ARTICLES, REFERENCE_IDS, ROOT


def _check_invariants(report: DefenceMeetingReport) -> None:
    text = report.source.text
    for ev in report.evidence():
        assert ev.source_id == report.source.id
        if ev.aligned:
            assert ev.start is not None and ev.end is not None
            assert text[ev.start : ev.end] == ev.quote
        else:
            assert ev.start is None and ev.end is None
    # the toolkit cites: every item's evidence is a sentence it judged to back the item
    for attendee in report.attendees:
        assert attendee.evidence and all(e.support for e in attendee.evidence)
        sides = {e.support.side for e in attendee.evidence if e.support}
        if attendee.stance == "disputed":
            assert sides == {"attended", "denied"}
        elif attendee.stance == "denied":
            assert sides == {"denied"}
        else:
            assert sides == {"attended"}, (attendee.name, attendee.stance)
    for denial in report.denials:
        assert [e.support.verdict for e in denial.evidence if e.support] == ["supported"]


@pytest.mark.model
@pytest.mark.parametrize("stem", REFERENCE_IDS)
def test_reference_report_is_grounded(
    stem: str, reference_reports: dict[str, DefenceMeetingReport]
) -> None:
    report = reference_reports[stem]
    _check_invariants(report)
    assert report.source.id == stem
    assert report.source.text == load_article(ARTICLES / f"{stem}.json").text
    assert report.extraction.prompt_version == prompt_version()
    assert report.extraction.usage.prompt_tokens > 0
    assert report.extraction.attempts >= 1
    assert report.attendees, "the model found no attendee"
    evidence = report.evidence()
    assert sum(e.aligned for e in evidence) >= 0.8 * len(evidence)


@pytest.mark.model
def test_reference_b_has_the_denials(reference_reports: dict[str, DefenceMeetingReport]) -> None:
    report = reference_reports["india-russia-defence-meetings-b"]
    deniers = " ".join(d.by for d in report.denials).lower()
    assert "adani" in deniers and "bharat forge" in deniers
    denied = {a.name.lower() for a in report.attendees if a.stance in ("denied", "disputed")}
    assert any("adani" in n for n in denied) and any("bharat forge" in n for n in denied)
    # the denial sentences, never the attending ones, back the denials
    for denial in report.denials:
        assert any(w in denial.evidence[0].quote for w in ("incorrect", "denied")), denial


@pytest.mark.model
def test_reference_dates_are_intervals(reference_reports: dict[str, DefenceMeetingReport]) -> None:
    for report in reference_reports.values():
        assert any(d.earliest and d.latest for d in report.dates), report.dates
        for d in report.dates:
            if d.earliest and d.latest:
                assert d.earliest <= d.latest


@pytest.mark.model
async def test_asummarise_matches_the_recording(
    model_config: Config, cassette: Any, reference_reports: dict[str, DefenceMeetingReport]
) -> None:
    stem = REFERENCE_IDS[0]
    with cassette(f"reference/{stem}", replay=True):
        report = await asummarise(load_article(ARTICLES / f"{stem}.json"), config=model_config)
    _check_invariants(report)
    assert report.attendees


class _Flaky(httpx2.BaseTransport):
    """Answers the first `failures` requests with 429 + Retry-After, then passes through."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self._inner = LlamaCppTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.calls += 1
        if self.calls <= self.failures:
            return httpx2.Response(429, headers={"retry-after": "0"}, json={"error": "slow down"})
        return self._inner.handle_request(request)


@pytest.mark.model
def test_rate_limit_is_retried_then_succeeds(
    model_config: Config, cassette: Any, reference_reports: dict[str, DefenceMeetingReport]
) -> None:
    stem = REFERENCE_IDS[1]
    flaky = _Flaky(failures=2)
    config = model_config.model_copy(update={"max_retries": 3})
    client = openai.OpenAI(
        base_url=config.base_url,
        api_key="sk-test",
        max_retries=0,
        http_client=httpx2.Client(transport=flaky),
    )
    with cassette(f"reference/{stem}", replay=True):
        report = summarise(load_article(ARTICLES / f"{stem}.json"), config=config, client=client)
    assert flaky.calls >= 3
    assert report == reference_reports[stem].model_copy(update={"extraction": report.extraction})


# --- failure modes, no model involved --------------------------------------------------------


def _client(handler: Callable[[httpx2.Request], httpx2.Response]) -> openai.OpenAI:
    return openai.OpenAI(
        base_url="http://model.test/v1",
        api_key="sk-test",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )


_CONFIG = Config(
    base_url="http://model.test/v1", model="m", mode="json_schema", max_retries=2, retry_backoff=0
)


def _completion(content: str) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
    }


def test_server_down_is_retried_then_raises() -> None:
    calls = []

    def refuse(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        raise httpx2.ConnectError("connection refused", request=request)

    with pytest.raises(BackendError, match="Cannot reach") as info:
        summarise("Some article text about a meeting.", config=_CONFIG, client=_client(refuse))
    assert len(calls) == 3 == info.value.attempts


def test_timeouts_are_retried() -> None:
    calls = []

    def slow(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        raise httpx2.ReadTimeout("timed out", request=request)

    with pytest.raises(BackendError):
        summarise("Some article text.", config=_CONFIG, client=_client(slow))
    assert len(calls) == 3


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_statuses_are_retried(status: int) -> None:
    calls = []

    def busy(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return httpx2.Response(status, headers={"retry-after-ms": "1"}, json={"error": "busy"})

    with pytest.raises(BackendError, match=f"HTTP {status}"):
        summarise("Some article text.", config=_CONFIG, client=_client(busy))
    assert len(calls) == 3


def test_client_errors_are_not_retried() -> None:
    calls = []

    def unauthorised(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return httpx2.Response(401, json={"error": {"message": "bad key"}})

    with pytest.raises(BackendError, match="HTTP 401"):
        summarise("Some article text.", config=_CONFIG, client=_client(unauthorised))
    assert len(calls) == 1


def test_garbage_output_is_reasked_then_raises() -> None:
    calls = []

    def garbage(request: httpx2.Request) -> httpx2.Response:
        calls.append(json.loads(request.content))
        return httpx2.Response(200, json=_completion(f"I am not JSON {{ ({len(calls)})"))

    with pytest.raises(ExtractionError, match="still invalid after 2 re-ask") as info:
        summarise("Some article text.", config=_CONFIG, client=_client(garbage))
    assert len(calls) == _CONFIG.max_reasks + 1 == info.value.attempts
    assert info.value.usage is not None and info.value.usage.total_tokens == 13 * len(calls)
    # the re-ask carries the error back to the model
    assert "error" in json.dumps(calls[-1]["messages"][-1]).lower()


def test_the_same_invalid_output_twice_stops_the_reasks() -> None:
    calls = []

    def stuck(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return httpx2.Response(200, json=_completion("I am not JSON {"))

    config = _CONFIG.model_copy(update={"max_reasks": 5})
    with pytest.raises(ExtractionError, match="same invalid output twice"):
        summarise("Some article text.", config=config, client=_client(stuck))
    assert len(calls) == 2


def _themes(topic_label: str = "radar work") -> dict[str, Any]:
    def item(label: str, quote: str, **more: str) -> dict[str, str]:
        return {"label": label, "detail": label, "quote": quote, **more}

    risk = {"category": "sanctions", "borne_by": "Alpha Corp"}
    return {
        "topics": [item(topic_label, "They discussed joint radar work"),
                   item("training", "shared training"), item("engines", "spare engines")],
        "risks": [item("sanctions", "Sanctions and high costs", **risk),
                  item("costs", "high costs could stall the plan", **risk)],
    }  # fmt: skip


_ARTICLE = (
    "Alpha Corp met Beta Ltd in Oslo on March 3. They discussed joint radar work, "
    "shared training and spare engines. Sanctions and high costs could stall the plan."
)
_ALPHA = {"name": "Alpha Corp", "kind": "organisation", "role": None, "affiliation": None,
          "stance": "asserted"}  # fmt: skip
_FACTS = {"summary": "Alpha met Beta.", "locations": [{"name": "Oslo"}],
          "dates": [], "attendees": [_ALPHA], "denials": [], "key_figures": []}  # fmt: skip


def test_a_raw_newline_in_a_string_is_repaired_without_a_reask() -> None:
    themes = json.dumps(_themes("radar@@work")).replace("@@", "\n")  # a real newline
    assert "\n" in themes and json.loads(themes.replace("\n", " "))
    answers = iter([json.dumps(_FACTS), themes])
    calls = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return httpx2.Response(200, json=_completion(next(answers)))

    report = summarise(_ARTICLE, config=_CONFIG, client=_client(answer))
    assert len(calls) == 2  # one per pass: no re-ask
    assert report.topics[0].label == "radar\nwork"


def test_an_answer_cut_off_at_max_tokens_keeps_its_complete_items() -> None:
    party = {"kind": "organisation", "affiliation": None, "role": None, "country": None,
             "stance": "asserted", "quote": "Alpha Corp met Beta Ltd in Oslo"}  # fmt: skip
    facts = {
        **_FACTS,
        "attendees": [{"name": "Alpha Corp", **party}, {"name": "Beta Ltd", **party}],
    }
    text = json.dumps(facts)
    cut = text[: text.index('"Beta Ltd"') + 6]  # inside the second attendee: the rest is lost
    answers = iter([(cut, "length"), (json.dumps(_themes()), "stop")])
    calls = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        content, finish = next(answers)
        body = _completion(content)
        body["choices"][0]["finish_reason"] = finish
        return httpx2.Response(200, json=body)

    report = summarise(_ARTICLE, config=_CONFIG, client=_client(answer))
    assert len(calls) == 2
    assert [a.name for a in report.attendees] == ["Alpha Corp"]
    assert report.denials == [] and report.key_figures == []


def test_two_passes_share_the_article_prefix_and_make_one_report() -> None:
    article = (
        "Alpha Corp met Beta Ltd in Oslo on March 3. They discussed joint radar work, "
        "shared training and spare engines. Sanctions and high costs could stall the plan."
    )
    facts = {**_FACTS}

    def item(label: str, quote: str, **more: str) -> dict[str, str]:
        return {"label": label, "detail": label, "quote": quote, **more}

    risk = {"category": "sanctions", "borne_by": "Alpha Corp"}
    themes = {
        "topics": [item("radar", "They discussed joint radar work"),
                   item("training", "shared training"), item("engines", "spare engines")],
        "risks": [item("sanctions", "Sanctions and high costs", **risk),
                  item("costs", "high costs could stall the plan", **risk)],
    }  # fmt: skip
    calls: list[dict[str, Any]] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        calls.append(json.loads(request.content))
        return httpx2.Response(200, json=_completion(json.dumps([facts, themes][len(calls) - 1])))

    report = summarise(article, config=_CONFIG, client=_client(answer))
    first, second = (c["messages"][1]["content"] for c in calls)
    prefix = first[: first.index(">>>") + 3]
    assert article in prefix and second.startswith(prefix)
    assert calls[0]["messages"][0] == calls[1]["messages"][0]
    assert report.summary == "Alpha met Beta."
    assert [t.label for t in report.topics] == ["radar", "training", "engines"]
    assert [r.label for r in report.risks] == ["sanctions", "costs"]
    assert report.extraction.attempts == 2
    assert report.extraction.usage.total_tokens == 26
    assert all(e.aligned for e in report.evidence())


def test_places_are_not_attendees_and_figures_must_be_in_the_article() -> None:
    article = "Alpha Corp met Beta Ltd in Oslo for talks. Alpha Corp holds 40% of the venture."
    person = {"kind": "organisation", "affiliation": None, "role": None, "country": None,
              "stance": "asserted", "quote": "Alpha Corp met Beta Ltd in Oslo"}  # fmt: skip
    facts = {
        "summary": "s", "locations": [{"name": "Oslo", "quote": "in Oslo"}], "dates": [],
        "attendees": [{"name": "Alpha Corp", **person}, {"name": "Oslo", **person}],
        "denials": [],
        "key_figures": [{"value": "40%", "what": "stake", "quote": "holds 40% of the venture"},
                        {"value": "36%", "what": "stake", "quote": "holds 40% of the venture"}],
    }  # fmt: skip
    topic = {"label": "t", "detail": "d", "quote": "met Beta Ltd in Oslo for talks"}
    risk = {**topic, "category": "other", "borne_by": None}
    themes = {"topics": [topic] * 3, "risks": [risk] * 2}
    answers = iter([facts, themes])

    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json=_completion(json.dumps(next(answers))))

    report = summarise(article, config=_CONFIG, client=_client(answer))
    assert [a.name for a in report.attendees] == ["Alpha Corp"]
    assert [f.value for f in report.key_figures] == ["40%"]


def test_secrets_never_reach_errors() -> None:
    config = _CONFIG.model_copy(update={"api_key": SecretStr("sk-very-secret")})

    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    with pytest.raises(BackendError) as info:
        summarise("Some text.", config=config, client=_client(refuse))
    assert "sk-very-secret" not in str(info.value)
    assert "sk-very-secret" not in repr(config)


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_input_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        summarise(text, config=_CONFIG, client=_client(lambda r: httpx2.Response(500)))


def test_llama_cpp_rewrite_moves_the_schema_into_json_object() -> None:
    body = {
        "model": "m",
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "R", "schema": {"type": "object"}},
        },
    }
    request = httpx2.Request("POST", "http://x/v1/chat/completions", json=body)
    rewritten = json.loads(rewrite_json_schema(request).read())
    assert rewritten["response_format"] == {"type": "json_object", "schema": {"type": "object"}}
    other = httpx2.Request("GET", "http://x/v1/models")
    assert rewrite_json_schema(other) is other


def test_split_keeps_every_character_and_respects_the_limit() -> None:
    text = load_article(ARTICLES / f"{REFERENCE_IDS[0]}.json").text
    chunks = split_text(text, 900)
    assert len(chunks) > 3
    assert all(len(c.text) <= 900 for c in chunks)
    assert "".join(c.text for c in chunks) == text
    assert all(text[c.offset : c.offset + len(c.text)] == c.text for c in chunks)


@pytest.mark.model
def test_long_article_is_chunked_and_stays_grounded(model_config: Config, cassette: Any) -> None:
    stem = REFERENCE_IDS[1]
    # a small context window forces two chunks; offsets must still point into the whole text
    config = model_config.model_copy(update={"context_tokens": 2300})
    with cassette(f"chunked/{stem}"):
        report = summarise(load_article(ARTICLES / f"{stem}.json"), config=config)
    assert report.extraction.chunks == 2
    _check_invariants(report)
    late = [ev for ev in report.evidence() if ev.aligned and ev.start and ev.start > 2000]
    assert late, "no evidence from the second chunk"


@pytest.mark.model
def test_a_french_article_is_cited_in_its_own_words(model_config: Config, cassette: Any) -> None:
    # The model names the items; the toolkit cites French sentences for them, so no quote has
    # to be written (or re-asked) by the model.
    path = ROOT / "tests" / "data" / "french-article.txt"
    with cassette("french/french-article") as recorded:
        report = summarise(load_article(path), config=model_config)
    assert report.extraction.attempts == len(recorded.requests) == 2  # one per pass
    _check_invariants(report)
    assert report.attendees
    for ev in report.evidence():
        assert ev.quote in report.source.text and ev.support is not None
