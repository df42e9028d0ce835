"""Benchmark `summarise.merging.merge` on synthetic report sets of growing size.

Each size runs in a fresh process: build N reports (hundreds of organisations and people
written with realistic variation: case, legal suffixes, acronyms, titles, typos, "the" and
"executives from"; some articles are wire copies of others), then time `merge` and measure its
peak memory with tracemalloc in a second run. Usage::

    python benchmarks/bench_merge.py --sizes 10,1000,10000
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

from summarise.merging import MergedReport, merge, verify_provenance
from summarise.models import (
    Article,
    Attendee,
    AttendeeKind,
    DateMention,
    DefenceMeetingReport,
    Denial,
    Evidence,
    ExtractionInfo,
    KeyFigure,
    Risk,
    RiskCategory,
    Source,
    Stance,
    Topic,
)

ORGANISATIONS = 400
PEOPLE = 200
COPY_SHARE = 0.05
SYLLABLES = [
    "ka", "ri", "no", "ta", "vel", "mar", "sun", "dra", "pel", "ko", "an", "bha", "rat", "shi",
    "lo", "gu", "pra", "dev", "jin", "tor", "esh", "ul", "bri", "zan", "hem", "ost", "quin",
]  # fmt: skip
SHARED_HEADS = 0.1  # organisations named like another one ("Tata Sons" / "Tata Motors")
GROUPS = 0.05  # heads that also have a "<Head> Group"
SECTORS = ["Defence", "Aerospace", "Systems", "Forge", "Electronics", "Dynamics", "Shipyards"]
SUFFIXES = ["", "", "", " Ltd", " Limited", " Pvt Ltd", " Private Limited", " Ltd.", " Inc."]
GIVEN = ["Ashish", "Sanjiv", "Rajesh", "Priya", "Anil", "Sunita", "Vikram", "Meera", "Arun"]
TITLES = ["", "", "Mr ", "Dr. ", "Gen. ", "Shri "]
EVENTS = [
    ("the meetings in Moscow", date(2025, 10, 29), 2),
    ("Putin's visit to India", date(2025, 12, 4), 2),
    ("the defence expo in Bengaluru", date(2025, 2, 10), 5),
    ("talks in New Delhi", date(2025, 6, 3), 1),
]
TOPICS = [
    "spare parts for Russian-origin equipment",
    "joint research and co-development",
    "co-production of air defence systems",
    "components for tanks and helicopters",
    "export of drones",
    "technology transfer for jet engines",
    "shipbuilding partnership",
    "artillery shell exports",
]
RISKS: list[tuple[str, RiskCategory]] = [
    ("Western secondary sanctions", "sanctions"),
    ("loss of access to Western technology", "technology_access"),
    ("diplomatic tension with Moscow", "diplomatic"),
    ("financial exposure to Russian banks", "financial"),
]
FIGURES = [
    ("About 36%", "share of Russian-origin equipment"),
    ("Nearly 36%", "share of Russian-origin equipment"),
    ("about a third", "share of Russian-origin equipment"),
    ("more than 500", "member companies"),
    ("$2 billion", "value of proposed deals"),
]
STANCES: list[Stance] = ["asserted", "asserted", "reported", "reported", "denied", "uncertain"]
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


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(SYLLABLES, k=rng.randint(2, 3))).capitalize()


def _parties(rng: random.Random) -> list[_Party]:
    """Organisations and people with names as distinct as real ones are.

    Synthetic syllable names can be one letter apart, which no matcher can tell from a typo:
    heads and surnames are drawn until they differ clearly from every one drawn before.
    Some organisations share a head with another ("Bharat Forge" / "Bharat Dynamics") and
    some heads have a group ("Adani Group").
    """
    words: list[str] = []
    organisations: list[str] = []
    for _ in range(ORGANISATIONS):
        if organisations and rng.random() < SHARED_HEADS:
            head = rng.choice(organisations).split()[0]
            used = {o.split()[1] for o in organisations if o.split()[0] == head}
            sectors = [x for x in SECTORS if x not in used]
            if sectors:
                organisations.append(f"{head} {rng.choice(sectors)}")
            continue
        sectors = rng.sample(SECTORS, rng.randint(1, 2))
        organisations.append(" ".join([_distinct_word(rng, words), *sectors]))
    heads = sorted({o.split()[0] for o in organisations})
    organisations += [f"{h} Group" for h in rng.sample(heads, int(len(heads) * GROUPS))]
    people = [f"{rng.choice(GIVEN)} {_distinct_word(rng, words)}" for _ in range(PEOPLE)]
    return [_Party(n, "organisation") for n in organisations] + [
        _Party(n, "person") for n in people
    ]


def _distinct_word(rng: random.Random, taken: list[str]) -> str:
    while True:
        word = _word(rng)
        if not process.extractOne(word, taken, scorer=fuzz.ratio, score_cutoff=70):
            taken.append(word)
            return word


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
    roll = rng.random()
    if party.kind == "person":
        given, surname = name.split(" ", 1)
        if roll < 0.1:
            name = f"{given[0]}. {surname}"
        name = rng.choice(TITLES) + name
    elif roll < 0.1 and len(name.split()) >= 3:
        return "".join(w[0] for w in name.split()).upper()
    else:
        name += rng.choice(SUFFIXES)
        if rng.random() < 0.1:
            name = rng.choice(["the ", "executives from ", "The "]) + name
        if rng.random() < 0.1:
            name = name.upper() if rng.random() < 0.5 else name.lower()
    return _typo(rng, name) if rng.random() < 0.05 else name


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
        return [
            Evidence(
                source_id=self.source_id,
                quote=sentence,
                start=start,
                end=start + len(sentence),
                alignment="exact",
            )
        ]

    def source(self) -> Source:
        return Source.of(Article(id=self.source_id, text="".join(self.parts)))


Truth = dict[tuple[str, str], str]  # (source id, name as written) -> the party meant


def build_reports(count: int, seed: int = 0) -> tuple[list[DefenceMeetingReport], Truth]:
    """`count` synthetic reports with real evidence spans (about 5% are wire copies), and
    which party each written attendee name stands for."""
    rng = random.Random(seed)
    parties = _parties(rng)
    reports: list[DefenceMeetingReport] = []
    truth: Truth = {}
    for number in range(count):
        source_id = f"article-{number:06}"
        if reports and rng.random() < COPY_SHARE:
            original = rng.choice(reports)
            reports.append(_copy(original, source_id))
            for attendee in original.attendees:
                truth[(source_id, attendee.name)] = truth[(original.source.id, attendee.name)]
        else:
            reports.append(_report(rng, source_id, parties, truth))
    return reports, truth


def _copy(report: DefenceMeetingReport, source_id: str) -> DefenceMeetingReport:
    """The same report for a republished copy of its article (same offsets, new id)."""
    text = report.source.text + f"Republished as {source_id}."
    data = json.loads(report.model_dump_json().replace(report.source.id, source_id))
    data["source"] = json.loads(Source.of(Article(id=source_id, text=text)).model_dump_json())
    return DefenceMeetingReport.model_validate(data)


def _report(
    rng: random.Random, source_id: str, parties: list[_Party], truth: Truth
) -> DefenceMeetingReport:
    w = _Writer(source_id)
    w.say(f"Report {source_id} on Indian defence industry meetings.")
    attendees, denials = [], []
    for party in rng.sample(parties, rng.randint(3, 8)):
        name = _written(rng, party)
        truth[(source_id, name)] = party.name
        evidence = w.say(f"{name} was said to take part in the talks.")
        attendees.append(
            Attendee(name=name, kind=party.kind, stance=rng.choice(STANCES), evidence=evidence)
        )
        if rng.random() < 0.1:
            evidence = w.say(f"{name} denied sending anyone.")
            denials.append(Denial(by=name, claim="sent executives", evidence=evidence))
    dates = []
    for of, start, days in rng.sample(EVENTS, rng.randint(1, 2)):
        shift = 0 if rng.random() < 0.9 else rng.choice([-30, 30])
        earliest = start + timedelta(days=shift - rng.randint(0, 5))
        latest = start + timedelta(days=shift + days + rng.randint(0, 5))
        evidence = w.say(f"The date given for {of} was {earliest:%B %d}.")
        text = f"{earliest:%B %d} to {latest:%B %d}"
        dates.append(
            DateMention(text=text, of=of, earliest=earliest, latest=latest, evidence=evidence)
        )
    topics = [
        Topic(label=label, evidence=w.say(f"They discussed {label}."))
        for label in rng.sample(TOPICS, rng.randint(2, 4))
    ]
    risks = [
        Risk(label=label, category=category, evidence=w.say(f"Analysts warned of {label}."))
        for label, category in rng.sample(RISKS, rng.randint(1, 2))
    ]
    figures = [
        KeyFigure(value=value, what=what, evidence=w.say(f"The {what} was {value}."))
        for value, what in rng.sample(FIGURES, rng.randint(1, 2))
    ]
    w.say(" ".join(_word(rng).lower() for _ in range(rng.randint(80, 200))) + ".")
    return DefenceMeetingReport(
        source=w.source(),
        summary=f"Synthetic report {source_id}.",
        attendees=attendees,
        denials=denials,
        dates=dates,
        topics=topics,
        risks=risks,
        key_figures=figures,
        extraction=EXTRACTION,
    )


def measure(size: int, *, memory: bool, seed: int) -> dict[str, float | int]:
    """Build `size` reports, then time merge (and trace its peak memory in a second run)."""
    reports, truth = build_reports(size, seed)
    started, cpu = time.perf_counter(), time.process_time()
    merged = merge(reports)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    precision, recall = _pairwise(merged, truth)
    result: dict[str, float | int] = {
        "reports": size,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "parties": len(set(truth.values())),
        "entities": len(merged.entities),
        "name_forms": sum(len(e.names) for e in merged.entities),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "copies": sum(len(g.source_ids) for g in merged.copies),
        "conflicts": len(merged.conflicts),
    }
    if size <= 1000:
        assert verify_provenance(merged) == []
    if memory:
        del merged
        tracemalloc.start()
        merge(reports)
        result["peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return result


def _pairwise(merged: MergedReport, truth: Truth) -> tuple[float, float]:
    """Pairwise precision and recall of the entities over attendee mentions."""
    cells: Counter[tuple[str, str]] = Counter()
    for entity in merged.entities:
        for claim in entity.claims:
            cells[(entity.id, truth[(claim.source_id, claim.name)])] += 1
    entities: Counter[str] = Counter()
    parties: Counter[str] = Counter()
    for (entity_id, party), n in cells.items():
        entities[entity_id] += n
        parties[party] += n

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    together = pairs(cells.values())
    return together / max(pairs(entities.values()), 1), together / max(pairs(parties.values()), 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000", help="comma-separated report counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in this process
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure(args.one, memory=not args.no_memory, seed=args.seed)))
        return
    print(f"# python {platform.python_version()} on {platform.machine()}")
    print(
        "| reports | merge wall (s) | merge CPU (s) | peak (MiB) | parties | entities "
        "| name forms | pair precision | pair recall | copies | conflicts |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--one", str(size), "--seed", str(args.seed)]
        if args.no_memory:
            command.append("--no-memory")
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        r = json.loads(done.stdout)
        results.append(r)
        print(
            f"| {r['reports']:,} | {r['seconds']} | {r['cpu_seconds']} "
            f"| {r.get('peak_mib', '-')} | {r['parties']} "
            f"| {r['entities']} | {r['name_forms']} | {r['precision']} | {r['recall']} "
            f"| {r['copies']} | {r['conflicts']} |",
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
