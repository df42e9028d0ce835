"""Words that tell how a sentence bears on a party: taking part, denying, attributing, hedging.

General news language in the languages the dev set holds (English, French, Spanish, German,
Russian, Hindi): no word of any one story. Each cue is a compiled pattern over case-folded,
accent-folded text (see `summarise.support.fold`), so "démenti" is written "dementi" here.
"""

from __future__ import annotations

import re

__all__ = [
    "ATTRIBUTION",
    "DENIAL",
    "GENERIC_NAME_WORDS",
    "GENERIC_PARTY",
    "HEDGE",
    "MEMBERSHIP",
    "NON_DENIAL",
    "REFERENCE",
    "STOPWORDS",
    "TAKING_PART",
]


def _words(*alternatives: str) -> re.Pattern[str]:
    """A pattern matching any alternative at word boundaries (alternatives are regexes)."""
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


# Taking part in meetings, visits, talks, signings.
TAKING_PART = _words(
    # en
    r"meet\w*", "met", r"attend\w*", r"travel\w*", r"visit\w*", "trip", r"took part",
    r"take part", r"particip\w*", "present", "represented", "representing", r"delegat\w*",
    "talks",
    r"discuss\w*", r"led by", r"headed by", "heading", r"accompan\w*", "sidelines", r"held",
    r"hosted", r"hosts?", r"received", r"welcomed", r"signed", r"co-?chair\w*", r"called on",
    r"joined", r"among (?:others )?(?:at|in) the", r"conferred", r"dialogue",
    # fr
    r"rencontr\w*", r"reuni\w*", r"particip\w*", r"s'est rendue?", r"rendu visite", r"visite\w*",
    r"entretien\w*", r"s'est entretenue?", r"recu\w*", r"accueilli\w*", r"signe\w*",
    r"pourparlers", r"a assiste", r"delegation\w*", r"sommet",
    # es
    r"se reunio", r"reunio\w*", r"reunion\w*", r"encuentro", r"particip\w*", r"visit\w*",
    r"asisti\w*", r"delegacion\w*", r"firm(?:o|aron|ado|ar)", r"encabez\w*", r"recibi\w*",
    r"conversaciones",
    r"comitiva", r"viaj\w*", r"su paso por",
    # de
    r"traf\w*", r"getroffen", r"treffen", r"nahm\w* teil", r"teilgenommen", r"besuch\w*",
    r"delegation", r"unterzeichn\w*", r"gesprach\w*", r"empfang\w*", r"empfing\w*",
    r"zusammengekommen", r"verhandl\w*", r"reist\w*",
    # ru
    r"встрет\w*", r"встреч\w*", r"переговор\w*", r"посет\w*", r"визит\w*", r"делегац\w*",
    r"участ\w*", r"подписа\w*", r"провел\w*", r"провед\w*", r"прибыл\w*", r"принял\w*",
    r"обсуди\w*", r"обсужд\w*", r"сопровожд\w*", r"поездк\w*",
    # hi
    "मुलाकात", "बैठक", "भाग लिया", "भाग लेने", "भाग लेंगे", "दौरा", "दौरे", "प्रतिनिधिमंडल",
    "वार्ता", "बातचीत", "अध्यक्षता", "सह-अध्यक्षता", "शामिल",
)  # fmt: skip

# Denying something: a claim, a report, having taken part.
DENIAL = _words(
    # en
    r"den(?:y|ies|ied|ying|ial|ials)", "incorrect", "untrue", "false", r"not true",
    r"baseless", "misleading", "fabricated", r"reject\w*", r"refut\w*", r"rubbish\w*",
    r"dismiss\w*", r"disput\w*", r"no (?:\w+ ){0,3}(?:representative|executive|official)s? "
    r"(?:\w+ )?(?:attended|participated|travell?ed|was present)",
    r"(?:did|does|had) not (?:attend|participate|take part|travel|send)", r"never (?:attended|met)",
    r"was not (?:part|present)", r"were not (?:part|present)", r"no truth",
    # fr
    r"dement\w*", r"nie", r"a nie", r"nient", "faux", "fausse", r"inexact\w*",
    r"sans fondement", r"n'a pas (?:participe|assiste)", r"n'ont pas (?:participe|assiste)",
    r"conteste\w*", r"rejet\w*",
    # es
    r"neg(?:o|aron|ó)", r"niega\w*", r"desmint\w*", r"desmient\w*", "falso", "falsa",
    r"sin fundamento", r"no (?:asistio|participo)", r"rechaz\w*", r"no salio",
    # de
    r"dementi\w*", r"bestr(?:eit|itt)\w*", r"zuruckgewiesen", r"wies\w* .{0,40}zuruck",
    "falsch", r"haltlos", r"nicht teilgenommen", r"unzutreffend",
    # ru
    r"опроверг\w*", r"отрица\w*", r"не соответству\w* действительност\w*", r"ложн\w*",
    r"не участвова\w*", r"не принима\w* участ\w*",
    # hi
    "खंडन", "इनकार", "गलत", "भ्रामक", "मनगढ़ंत", "झूठ",
)  # fmt: skip

# Said of a party that did not answer: no denial at all.
NON_DENIAL = _words(
    r"declin\w* to comment", r"did not (?:immediately )?(?:comment|respond|reply)",
    r"(?:could|can) not be reached", r"no comment", r"refus\w* to comment",
    r"not (?:immediately )?available for comment", r"neither confirm\w* nor den\w*",
    r"would not (?:comment|confirm)", r"declined to confirm",
    r"n'a pas (?:souhaite|voulu) (?:commenter|repondre)", r"s'est refuse\w* a tout commentaire",
    r"ni confirm\w* ni dement\w*", r"s'est abstenue? de (?:confirmer|commenter)",
    r"declin\w* (?:hacer )?comentar\w*", r"no quiso comentar", r"no respondi\w*",
    r"wollte sich nicht (?:dazu )?ausser\w*", r"ausserte sich nicht",
    r"отказал\w* от комментари\w*", r"не ответил\w*",
)  # fmt: skip

# Attributed to sources or reports rather than stated as fact.
ATTRIBUTION = _words(
    r"sources?", r"reports?", "reported", "reportedly", r"according to", r"familiar with",
    r"people with knowledge", r"said", "says", "told", r"claim\w*", r"alleg\w*", r"suggest\w*",
    "selon", r"d'apres", r"aurait", r"auraient", "segun", "fuentes", r"habria\w*", "laut",
    "zufolge", r"quellen", r"soll(?:en)?", r"по данным", r"по словам", r"источник\w*",
    r"сообща\w*", "के अनुसार", "सूत्रों",
)  # fmt: skip

# Not yet, or not surely: a planned visit, a possible meeting.
HEDGE = _words(
    r"will", r"would", r"may", r"might", r"could", r"expected to", r"plans? to", r"planned",
    r"is to", r"are to", r"likely", r"possibl\w*", r"scheduled", r"due to", r"set to",
    r"prevu\w*", r"devrait", r"devraient", r"pourrait", r"va ", r"doit", r"previst\w*",
    r"podria\w*", r"soll\w*", r"wird", r"werden", r"geplant", r"планиру\w*", r"предстоит",
    r"намерен\w*", "संभावना",
)  # fmt: skip

# "X represents 500 companies, including A and B": A and B are members, not participants.
MEMBERSHIP = re.compile(
    r"(?<!\w)(?:represent\w*|members?|compris\w*|includes?|counts?)(?!\w).*?(?<!\w)"
    r"(?:including|such as|like|among them)(?!\w)"
)

# Words that point back to a party named just before: "its spokesperson denied", "the company".
# Bare pronouns are left out: "it" too often means a country or the report itself.
REFERENCE = _words(
    r"the (?:company|firm|group|ministry|manufacturer|maker)",
    r"(?:a|the|its|their|his|her) (?:spokes(?:person|man|woman|people)|representatives?)",
    r"both (?:companies|firms|groups)", r"the two (?:companies|firms|groups)",
    r"la (?:societe|compagnie|firme)", r"l'entreprise", r"le (?:groupe|ministere)",
    r"(?:son|leur|un|le) porte-parole",
    r"la (?:empresa|compania)", r"el (?:grupo|ministerio)", r"(?:su|un) portavoz",
    r"das (?:unternehmen|ministerium)", r"der konzern", r"die firma",
    r"(?:ein|eine|sein|ihr|der|die) (?:sprecher|sprecherin)",
    r"компани[яи]", r"министерств[оа]", r"представител\w*", r"пресс-служб\w*",
)  # fmt: skip

# Words that name no one on their own, ignored when matching a name's distinctive words.
GENERIC_NAME_WORDS = frozenset(
    ("the", "a", "an", "of", "and", "for", "group", "ltd", "limited", "inc", "co", "company",
     "companies", "corp", "defence", "defense", "industries", "industry", "de", "du", "des",
     "la", "le", "les", "del", "y", "et", "und", "der", "die", "das")
)  # fmt: skip

# A description, not a name: "private companies", "representative", "CEO", "startups".
GENERIC_PARTY = frozenset(
    ("private", "public", "sector", "companies", "company", "firms", "firm", "startups",
     "startup", "representative", "representatives", "executive", "executives", "official",
     "officials", "ceo", "ceos", "chief", "head", "heads", "secretary", "minister", "ministers",
     "director", "chairman", "spokesperson", "spokesman", "delegation", "delegates", "members",
     "industry", "industries", "manufacturers", "leaders", "business", "businesses", "senior",
     "top", "foreign", "defence", "defense", "production",
     "several", "other", "some", "many", "various", "local", "state", "owned", "state-owned",
     "the", "a", "an", "of", "and", "from", "its", "their", "his", "her", "government",
     "officers", "staff", "team", "experts", "diplomats", "sources", "people")
)  # fmt: skip

# Words that carry no content, left out when comparing a label with a sentence.
STOPWORDS = frozenset(
    ("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
     "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "will",
     "with", "le", "la", "les", "des", "du", "de", "et", "en", "un", "une", "pour", "par",
     "sur", "dans", "au", "aux", "el", "los", "las", "del", "y", "con", "por", "para", "una",
     "der", "die", "das", "und", "mit", "von", "zu", "im", "fur", "den", "dem", "ein", "eine",
     "в", "и", "на", "с", "по", "для")
)  # fmt: skip
