"""Attendance and relations: entities from attendee and denial items, with their attendance.

The parties named are resolved into entities (`summarise.entities`); each gets its written
forms, its relations to other entities, its attendance status and the conflicts about it.

A denial bears on the denier's own attendance and on that of its parts and people: a group's
spokespeople denying that "their executives" travelled disputes an attendance asserted for a
company of the group ("Adani Group" -> "Adani Defence") and for people affiliated with it. Such
a denial is listed with `inherited_from` set, and when it is the only denial the conflict is of
kind `granularity`; a party's own denial makes it a `contradiction`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel

from ..entities import AliasTable, Link, NameMention, resolve
from ..models.merged import (
    Attendance,
    AttendanceClaim,
    AttendanceStatus,
    AttendeeClaim,
    Conflict,
    ConflictKind,
    ConflictValue,
    DenialClaim,
    MergedDenial,
    MergedEntity,
    NameForm,
    Relation,
    RelationKind,
)
from .copies import Independence
from .support import evidence_of, source_ids

__all__ = ["merge_entities"]


def merge_entities(
    attendees: list[AttendeeClaim],
    denials: list[DenialClaim],
    table: AliasTable,
    independence: Independence,
    everyone: int,
) -> tuple[list[MergedEntity], list[MergedDenial], list[Conflict]]:
    """The entities named by attendee and denial claims, their attendance, their denials
    (one `MergedDenial` per denying entity) and the attendance conflicts.

    `everyone` is the number of independent sources merged: with one, nothing is flagged as
    single-source.
    """
    resolution = resolve(
        [NameMention(a.name, a.kind, a.affiliation) for a in attendees]
        + [NameMention(d.by) for d in denials],
        table,
    )
    claims: dict[str, list[AttendeeClaim]] = defaultdict(list)
    denied: dict[str, list[DenialClaim]] = defaultdict(list)
    forms: dict[str, dict[str, list[AttendeeClaim | DenialClaim]]] = defaultdict(
        lambda: defaultdict(list)
    )
    links: dict[tuple[str, str], list[AttendeeClaim]] = defaultdict(list)
    for attendee in attendees:
        ids = resolution.ids(attendee.name, attendee.kind)
        for entity_id in ids:
            claims[entity_id].append(attendee)
            forms[entity_id][attendee.name].append(attendee)
        if attendee.affiliation:
            wholes = resolution.ids(attendee.affiliation, None)
            for entity_id in wholes:
                forms[entity_id][attendee.affiliation].append(attendee)
            for part in ids:
                for whole in wholes:
                    links[(part, whole)].append(attendee)
    for denial in denials:
        for entity_id in resolution.ids(denial.by, None):
            denied[entity_id].append(denial)
            forms[entity_id][denial.by].append(denial)
    own_denials = {
        e.id: [p for c in claims.get(e.id, []) for p in _parts(c) if p.stance == "denied"]
        + [_attendance_claim(d) for d in denied.get(e.id, [])]
        for e in resolution.entities
    }
    names = {e.id: e.name for e in resolution.entities}
    merged: list[MergedEntity] = []
    conflicts: list[Conflict] = []
    up: dict[str, list[str]] = defaultdict(list)
    touching: dict[str, list[Link]] = defaultdict(list)
    for link in resolution.links:
        up[link.part].append(link.whole)
        touching[link.part].append(link)
        touching[link.whole].append(link)
    for entity in resolution.entities:
        inherited = [
            claim.model_copy(update={"inherited_from": whole})
            for whole in _wholes(up, entity.id)
            for claim in own_denials[whole]
        ]
        attendance = None
        if entity.id in claims or entity.id in denied:
            attendance = _attendance(
                claims.get(entity.id, []), own_denials[entity.id] + inherited, independence
            )
            conflicts += _attendance_conflicts(entity.id, names, attendance, everyone)
        merged.append(
            MergedEntity(
                id=entity.id,
                name=entity.name,
                kind=entity.kind,
                names=[
                    NameForm(
                        name=name,
                        source_ids=source_ids(items),
                        evidence=evidence_of(items),
                    )
                    for name, items in sorted(forms[entity.id].items())
                ],
                related=_relations(touching[entity.id], entity.id, links),
                attendance=attendance,
                claims=claims.get(entity.id, []),
            )
        )
    merged_denials = [
        MergedDenial(
            entity_id=entity_id,
            by=names[entity_id],
            source_ids=source_ids(items),
            independent_sources=independence.count(d.source_id for d in items),
            claims=items,
        )
        for entity_id, items in sorted(denied.items())
    ]
    return merged, merged_denials, conflicts


def _wholes(up: dict[str, list[str]], entity_id: str) -> list[str]:
    """Every entity this one is part of or affiliated with, transitively, sorted."""
    seen: set[str] = set()
    todo = [entity_id]
    while todo:
        for whole in up[todo.pop()]:
            if whole not in seen and whole != entity_id:
                seen.add(whole)
                todo.append(whole)
    return sorted(seen)


def _relations(
    touching: list[Link], entity_id: str, links: dict[tuple[str, str], list[AttendeeClaim]]
) -> list[Relation]:
    relations = []
    for link in touching:
        items = links.get((link.part, link.whole), []) if "affiliation" in link.basis else []
        if link.part == entity_id:
            kind: RelationKind = link.relation
            other = link.whole
        else:
            kind = "has_part" if link.relation == "part_of" else "has_affiliate"
            other = link.part
        relations.append(
            Relation(
                relation=kind,
                entity_id=other,
                basis=list(link.basis),
                source_ids=source_ids(items),
                evidence=evidence_of(items),
            )
        )
    return sorted(relations, key=lambda r: (r.entity_id, r.relation))


def _parts(item: AttendeeClaim) -> list[AttendanceClaim]:
    """An attendee item's statements on attending, each with its own evidence.

    Evidence the toolkit judged carries a side: sentences saying the party took part go with
    its attending stance, sentences denying it with a denial, so a `disputed` attendee is both
    and a denial sentence is never shown as evidence of attending. Evidence without a side
    (reports of schema 1) goes with the item's stance, as it always did.
    """
    sided = [e for e in item.evidence if e.support is not None and e.support.side is not None]
    if not sided:
        return [_attendance_claim(item)]
    denying = [e for e in item.evidence if e.support is not None and e.support.side == "denied"]
    attending = [e for e in item.evidence if e not in denying]
    stance = "reported" if item.stance in ("denied", "disputed") else item.stance
    parts = []
    if attending:
        parts.append(
            _attendance_claim(item).model_copy(update={"stance": stance, "evidence": attending})
        )
    if denying:
        parts.append(
            _attendance_claim(item).model_copy(update={"stance": "denied", "evidence": denying})
        )
    return parts


def _attendance_claim(item: AttendeeClaim | DenialClaim) -> AttendanceClaim:
    if isinstance(item, AttendeeClaim):
        return AttendanceClaim(
            source_id=item.source_id,
            stance=item.stance,
            item="attendee",
            name=item.name,
            evidence=item.evidence,
        )
    return AttendanceClaim(
        source_id=item.source_id,
        stance="denied",
        item="denial",
        name=item.by,
        claim=item.claim,
        evidence=item.evidence,
    )


def _attendance(
    claims: list[AttendeeClaim], denials: list[AttendanceClaim], independence: Independence
) -> Attendance:
    parts = [p for c in claims for p in _parts(c)]
    supporting = [p for p in parts if p.stance in ("asserted", "reported")]
    uncertain = [p for p in parts if p.stance == "uncertain"]
    denying = list({c.model_dump_json(): c for c in sorted(denials, key=_json)}.values())
    support = independence.count(c.source_id for c in supporting)
    status: AttendanceStatus
    if supporting and denying:
        status = "disputed"
    elif denying:
        status = "denied"
    elif support >= 2:
        status = "confirmed"
    else:
        status = "unverified"
    return Attendance(
        status=status,
        supporting=supporting,
        denying=denying,
        uncertain=uncertain,
        supporting_sources=support,
        denying_sources=independence.count(c.source_id for c in denying),
    )


def _attendance_conflicts(
    entity_id: str, names: dict[str, str], attendance: Attendance, everyone: int
) -> list[Conflict]:
    field = f"entities/{entity_id}/attendance"
    name = names[entity_id]
    attended = _side("attended", attendance.supporting)
    if attendance.status == "disputed":
        own = [c for c in attendance.denying if c.inherited_from is None]
        kind: ConflictKind = "contradiction" if own else "granularity"
        wholes = sorted({names[c.inherited_from] for c in attendance.denying if c.inherited_from})
        whole = "" if own else f" (denied by {', '.join(wholes)}, which it belongs to)"
        return [
            Conflict(
                field=field,
                kind=kind,
                summary=f"{name}: attendance asserted and denied{whole}.",
                values=[attended, _side("did not attend", attendance.denying)],
            )
        ]
    if attendance.status == "unverified" and everyone > 1:
        side = attended if attendance.supporting else _side("uncertain", attendance.uncertain)
        return [
            Conflict(
                field=field,
                kind="single_source",
                summary=f"{name}: attendance from one independent source only.",
                values=[side],
            )
        ]
    return []


def _json(item: BaseModel) -> str:
    return item.model_dump_json()


def _side(value: str, claims: Sequence[AttendanceClaim]) -> ConflictValue:
    return ConflictValue(
        value=value,
        source_ids=sorted({c.source_id for c in claims}),
        evidence=evidence_of(claims),
    )
