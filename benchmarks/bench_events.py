"""Benchmark `summarise.events.group_events` on synthetic folders of many events.

Each size runs in a fresh process: build N reports of about N/10 events (parties written with
realistic variation: case, legal suffixes, acronyms, titles and initials for people, typos;
the same ministers and companies recur across events, some events are sequels of earlier ones
with the same parties weeks later; some articles are wire copies, some undated, some mention
another event in passing), then time `group_events` (wall and CPU), measure its peak memory
with tracemalloc in a second run, and score pairwise precision and recall of the grouping
against the generating events. Usage::

    python benchmarks/bench_events.py --sizes 1000,10000
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from rapidfuzz import fuzz, process

from summarise.events import EventGroup, group_events
from summarise.models import (
    Article,
    Attendee,
    AttendeeKind,
    DateMention,
    DefenceMeetingReport,
    Evidence,
    ExtractionInfo,
    Location,
    Source,
)

ORGANISATIONS = 700
PEOPLE = 500
MINISTERS = 40  # people who appear in many events
PLACES = 120
COPY_SHARE = 0.05
UNDATED_SHARE = 0.12
PASSING_SHARE = 0.2
SEQUEL_SHARE = 0.1
FIRST_DAY, DAYS = date(2023, 1, 1), 3 * 365
SYLLABLES = [
    "ka", "ri", "no", "ta", "vel", "mar", "sun", "dra", "pel", "ko", "an", "bha", "rat", "shi",
    "lo", "gu", "pra", "dev", "jin", "tor", "esh", "ul", "bri", "zan", "hem", "ost", "quin",
]  # fmt: skip
SECTORS = ["Defence", "Aerospace", "Systems", "Forge", "Electronics", "Dynamics", "Shipyards"]
SUFFIXES = ["", "", "", " Ltd", " Limited", " Pvt Ltd", " Private Limited", " Ltd.", " Inc."]
GIVEN = ["Ashish", "Sanjiv", "Rajesh", "Priya", "Anil", "Sunita", "Vikram", "Meera", "Arun"]
TITLES = ["", "", "Mr ", "Dr. ", "Gen. ", "Shri ", "Minister "]
_COMMON_TEXT = (
    "defence industry cooperation production agreement ministry officials government talks "
    "delegation joint venture export contract procurement technology transfer aircraft "
    "helicopters tanks missiles drones radar artillery shells engines submarines frigates "
    "maintenance spare parts investment billion million budget partnership strategic security "
    "sanctions supply chain factory plant assembly capacity orders delivery schedule training "
    "exercise officers committee working group summit bilateral trade economic statement "
    "sources familiar matter analysts expected announced signed discussed agreed review "
    "proposal negotiation framework memorandum understanding research development design "
    "testing certification standards interoperability logistics shipyard vessels navy army "
    "force command region border tensions pressure market shares companies executives board"
)
COMMON = _COMMON_TEXT.split()
EXTRACTION = ExtractionInfo(
    backend="synthetic",
    model="none",
    mode="none",
    prompt_name="none",
    prompt_version="0",
    toolkit_version="0",
)


@dataclass(frozen=True)
class _Party:
    name: str
    kind: AttendeeKind


@dataclass(frozen=True)
class _Event:
    number: int
    start: date
    end: date
    place: str
    parties: tuple[_Party, ...]
    words: tuple[str, ...]


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(SYLLABLES, k=rng.randint(3, 4))).capitalize()


def _distinct_word(rng: random.Random, taken: list[str]) -> str:
    """A word clearly unlike every word drawn before (no matcher tells typos from near names)."""
    while True:
        word = _word(rng)
        if not process.extractOne(word, taken, scorer=fuzz.ratio, score_cutoff=70):
            taken.append(word)
            return word


def _universe(rng: random.Random) -> tuple[list[_Party], list[_Party], list[str], list[str]]:
    """Organisations, people (the first MINISTERS recur most), places and event words."""
    taken: list[str] = []
    organisations = [
        _Party(
            " ".join([_distinct_word(rng, taken), *rng.sample(SECTORS, rng.randint(1, 2))]),
            "organisation",
        )
        for _ in range(ORGANISATIONS)
    ]
    people = [
        _Party(f"{rng.choice(GIVEN)} {_distinct_word(rng, taken)}", "person") for _ in range(PEOPLE)
    ]
    places = [_distinct_word(rng, taken) for _ in range(PLACES)]
    vocabulary = sorted({_word(rng).lower() + _word(rng).lower() for _ in range(20000)})
    return organisations, people, places, vocabulary


def _common(rng: random.Random) -> tuple[list[str], list[float]]:
    """The words every story uses, with Zipf weights (a few very common, most rare)."""
    words = COMMON + sorted({_word(rng).lower() for _ in range(3000)})
    return words, [1 / (rank + 1) for rank in range(len(words))]


def _events(count: int, rng: random.Random) -> list[_Event]:
    organisations, people, places, vocabulary = _universe(rng)
    ministers, others = people[:MINISTERS], people[MINISTERS:]
    events: list[_Event] = []
    for number in range(count):
        if events and rng.random() < SEQUEL_SHARE:
            earlier = rng.choice(events[-50:])
            start = earlier.end + timedelta(days=rng.randint(21, 70))
            parties = [*rng.sample(earlier.parties, min(3, len(earlier.parties)))]
            parties += rng.sample(organisations, rng.randint(0, 2))
        else:
            start = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            parties = [
                *rng.sample(ministers, rng.randint(0, 2)),
                *rng.sample(others, rng.randint(0, 2)),
            ]
            parties += rng.sample(organisations, rng.randint(2, 4))
        end = start + timedelta(days=rng.choice([0, 0, 1, 1, 2]))
        words = tuple(rng.sample(vocabulary, 15))
        events.append(
            _Event(number, start, end, rng.choice(places), tuple(dict.fromkeys(parties)), words)
        )
    return events


def _typo(rng: random.Random, name: str) -> str:
    words = name.split()
    index = rng.randrange(len(words))
    word = words[index]
    if len(word) > 4:
        at = rng.randrange(1, len(word) - 2)
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    words[index] = word
    return " ".join(words)


def _written(rng: random.Random, party: _Party) -> str:
    """The party's name as one article might write it."""
    name = party.name
    if party.kind == "person":
        given, surname = name.split(" ", 1)
        if rng.random() < 0.1:
            name = f"{given[0]}. {surname}"
        name = rng.choice(TITLES) + name
    elif rng.random() < 0.08 and len(name.split()) >= 3:
        return "".join(w[0] for w in name.split()).upper()
    else:
        name += rng.choice(SUFFIXES)
        if rng.random() < 0.1:
            name = rng.choice(["the ", "executives from ", "The "]) + name
        if rng.random() < 0.1:
            name = name.upper() if rng.random() < 0.5 else name.lower()
    return _typo(rng, name) if rng.random() < 0.04 else name


class _Writer:
    """Builds an article text sentence by sentence; evidence points at each sentence."""

    def __init__(self, source_id: str) -> None:
        self.source_id = source_id
        self.parts: list[str] = []
        self.length = 0

    def say(self, sentence: str) -> list[Evidence]:
        start = self.length
        self.parts.append(sentence + " ")
        self.length += len(sentence) + 1
        quote = Evidence(
            source_id=self.source_id,
            quote=sentence,
            start=start,
            end=start + len(sentence),
            alignment="exact",
        )
        return [quote]

    def source(self, published: date | None) -> Source:
        return Source.of(Article(id=self.source_id, text="".join(self.parts), published=published))


def _when(rng: random.Random, event: _Event) -> tuple[str, date, date]:
    """The event's dates as one article writes them: the days, part of the month, the month."""
    roll = rng.random()
    if roll < 0.7:
        return f"{event.start:%B} {event.start.day} to {event.end.day}", event.start, event.end
    if roll < 0.9:
        part = min((event.start.day - 1) // 10, 2)
        first = event.start.replace(day=1 + 10 * part)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        last = last if part == 2 else first + timedelta(days=9)
        word = ["early", "mid", "late"][part]
        return f"{word} {event.start:%B}", first, max(last, event.end)
    first = event.start.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return f"in {event.start:%B}", first, max(last, event.end)


def _report(
    rng: random.Random,
    source_id: str,
    event: _Event,
    events: list[_Event],
    common: tuple[list[str], list[float]],
) -> DefenceMeetingReport:
    w = _Writer(source_id)
    w.say(f"Talks in {event.place} on {' and '.join(event.words[:2])}.")
    count = len(event.parties)
    attendees = []
    for party in rng.sample(event.parties, rng.randint(max(1, count - 3), count)):
        name = _written(rng, party)
        attendees.append(
            Attendee(
                name=name,
                kind=party.kind,
                stance=rng.choice(["asserted", "reported"]),
                evidence=w.say(f"{name} took part in the talks."),
            )
        )
    locations = []
    if rng.random() < 0.75:
        locations.append(Location(name=event.place, evidence=w.say(f"They met in {event.place}.")))
    dates = []
    if rng.random() >= UNDATED_SHARE:
        text, first, last = _when(rng, event)
        flag = True if rng.random() < 0.7 else None
        dates.append(
            DateMention(
                text=text,
                of=f"the talks in {event.place}",
                earliest=first,
                latest=last,
                main_event=flag,
                evidence=w.say(f"The talks were held {text}."),
            )
        )
    if rng.random() < PASSING_SHARE:
        other = rng.choice(events)
        who = other.parties[0].name.split()[-1]
        of = f"{who}'s visit to {other.place}"
        dates.append(
            DateMention(
                text=f"{other.start:%B} {other.start.day}",
                of=of,
                earliest=other.start,
                latest=other.start,
                main_event=rng.choice([False, None]),
                evidence=w.say(f"It prepared {of} on {other.start:%B} {other.start.day}."),
            )
        )
    words, weights = common
    filler = rng.choices(words, weights=weights, k=90) + list(rng.sample(event.words, 10))
    rng.shuffle(filler)
    w.say(" ".join(filler) + ".")
    published = event.end + timedelta(days=min(int(rng.expovariate(0.5)), 20))
    return DefenceMeetingReport(
        source=w.source(published),
        summary=f"Talks in {event.place}.",
        attendees=attendees,
        dates=dates,
        locations=locations,
        extraction=EXTRACTION,
    )


def _copy(report: DefenceMeetingReport, source_id: str) -> DefenceMeetingReport:
    """A republished copy of an article (a line added), from which fewer parties were read."""
    text = report.source.text + f"Republished as {source_id}."
    data = json.loads(report.model_dump_json().replace(report.source.id, source_id))
    published = report.source.published
    data["source"] = json.loads(
        Source.of(Article(id=source_id, text=text, published=published)).model_dump_json()
    )
    data["attendees"] = data["attendees"][:2]
    return DefenceMeetingReport.model_validate(data)


def build_reports(count: int, seed: int = 0) -> tuple[list[DefenceMeetingReport], dict[str, int]]:
    """`count` synthetic reports of about count/10 events, and the event each one tells."""
    rng = random.Random(seed)
    events = _events(max(1, count // 10), rng)
    weights = [rng.lognormvariate(0, 0.8) for _ in events]
    common = _common(rng)
    reports: list[DefenceMeetingReport] = []
    truth: dict[str, int] = {}
    chosen = rng.choices(events, weights=weights, k=count)
    for number, event in enumerate(chosen):
        source_id = f"article-{number:06}"
        same = [r for r in reports[-200:] if truth[r.source.id] == event.number]
        if same and rng.random() < COPY_SHARE:
            reports.append(_copy(rng.choice(same), source_id))
        else:
            reports.append(_report(rng, source_id, event, events, common))
        truth[source_id] = event.number
    return reports, truth


def measure(size: int, *, memory: bool, seed: int) -> dict[str, float | int]:
    """Build `size` reports, then time group_events (and trace its peak memory once more)."""
    reports, truth = build_reports(size, seed)
    started, cpu = time.perf_counter(), time.process_time()
    groups = group_events(reports)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    precision, recall = _pairwise(groups, truth)
    result: dict[str, float | int] = {
        "reports": size,
        "events": len(set(truth.values())),
        "groups": len(groups),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "related_links": sum(len(g.related) for g in groups),
    }
    if memory:
        del groups
        tracemalloc.start()
        group_events(reports)
        result["peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return result


def _pairwise(groups: list[EventGroup], truth: dict[str, int]) -> tuple[float, float]:
    """Pairwise precision and recall of the groups against the generating events."""
    cells = Counter((g.id, truth[a]) for g in groups for a in g.articles)
    by_group: Counter[str] = Counter()
    by_event: Counter[int] = Counter()
    for (group, event), n in cells.items():
        by_group[group] += n
        by_event[event] += n

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    together = pairs(cells.values())
    return together / max(pairs(by_group.values()), 1), together / max(pairs(by_event.values()), 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated report counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in this process
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure(args.one, memory=not args.no_memory, seed=args.seed)))
        return
    print(f"# python {platform.python_version()} on {platform.machine()}")
    print(
        "| reports | events | groups | wall (s) | CPU (s) | peak (MiB) | pair precision "
        "| pair recall | related links |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--one", str(size), "--seed", str(args.seed)]
        if args.no_memory:
            command.append("--no-memory")
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        r = json.loads(done.stdout)
        results.append(r)
        print(
            f"| {r['reports']:,} | {r['events']:,} | {r['groups']:,} | {r['seconds']} "
            f"| {r['cpu_seconds']} | {r.get('peak_mib', '-')} | {r['precision']} "
            f"| {r['recall']} | {r['related_links']:,} |",
            flush=True,
        )
    for before, after in pairwise(results):
        growth = after["reports"] / before["reports"]
        wall = after["seconds"] / max(before["seconds"], 1e-9)
        cpu = after["cpu_seconds"] / max(before["cpu_seconds"], 1e-9)
        print(
            f"# {before['reports']:,} -> {after['reports']:,}: x{growth:g} reports, "
            f"x{wall:.1f} wall time, x{cpu:.1f} CPU time"
        )


if __name__ == "__main__":
    main()
