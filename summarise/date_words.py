"""The words dates are written with, in the languages the toolkit reads.

English, French, Spanish, German, Russian and Hindi: month and weekday names, parts of a
month, relative days and periods, range separators and the little words around dates. Keys are
folded (case-folded, Latin accents removed: `summarise.text.fold`), so "février" is "fevrier".
"""

from __future__ import annotations

# ruff: noqa: RUF001 (Cyrillic letters that look Latin are meant)

__all__ = [
    "DAY_PHRASES",
    "FILLERS",
    "HALVES",
    "LEADING_FILLERS",
    "MONTHS",
    "PART_WORDS",
    "RELATIVE",
    "RELATIVE_DAYS",
    "SEPARATORS",
    "UNITS",
    "WEEKDAYS",
]


def _numbered(*groups: tuple[str, ...]) -> dict[str, int]:
    return {name: number for number, names in enumerate(groups) for name in names}


MONTHS = _numbered(
    (),
    ("january", "jan", "janvier", "enero", "januar", "janner", "января", "январь", "जनवरी"),
    ("february", "feb", "fevrier", "febrero", "februar", "февраля", "февраль", "फरवरी"),
    ("march", "mar", "mars", "marzo", "marz", "марта", "март", "मार्च"),
    ("april", "apr", "avril", "abril", "апреля", "апрель", "अप्रैल"),
    ("may", "mai", "mayo", "мая", "май", "मई"),
    ("june", "jun", "juin", "junio", "juni", "июня", "июнь", "जून"),
    ("july", "jul", "juillet", "julio", "juli", "июля", "июль", "जुलाई"),
    ("august", "aug", "aout", "agosto", "августа", "август", "अगस्त"),
    ("september", "sept", "sep", "septembre", "septiembre", "setiembre", "сентября",
     "сентябрь", "सितंबर", "सितम्बर"),
    ("october", "oct", "octobre", "octubre", "oktober", "октября", "октябрь", "अक्टूबर",
     "अक्तूबर"),
    ("november", "nov", "novembre", "noviembre", "ноября", "ноябрь", "नवंबर", "नवम्बर"),
    ("december", "dec", "decembre", "diciembre", "dezember", "декабря", "декабрь", "दिसंबर",
     "दिसम्बर"),
)  # fmt: skip
WEEKDAYS = _numbered(
    ("monday", "lundi", "lunes", "montag", "понедельник", "सोमवार"),
    ("tuesday", "mardi", "martes", "dienstag", "вторник", "मंगलवार"),
    ("wednesday", "mercredi", "miercoles", "mittwoch", "среда", "среду", "बुधवार"),
    ("thursday", "jeudi", "jueves", "donnerstag", "четверг", "गुरुवार", "बृहस्पतिवार"),
    ("friday", "vendredi", "viernes", "freitag", "пятница", "пятницу", "शुक्रवार"),
    ("saturday", "samedi", "sabado", "samstag", "sonnabend", "суббота", "субботу", "शनिवार"),
    ("sunday", "dimanche", "domingo", "sonntag", "воскресенье", "रविवार"),
)
# Parts of a month: 0 early, 1 mid, 2 late (the first, second and last ten days).
PART_WORDS = {
    "early": 0, "beginning": 0, "start": 0, "debut": 0, "principios": 0, "comienzos": 0,
    "anfang": 0, "начале": 0,
    "mid": 1, "middle": 1, "mi": 1, "mediados": 1, "mitte": 1, "середине": 1,
    "late": 2, "end": 2, "fin": 2, "finales": 2, "fines": 2, "ende": 2, "конце": 2,
}  # fmt: skip
HALVES = {"first": 3, "second": 4}
RELATIVE_DAYS = {
    "yesterday": -1, "hier": -1, "ayer": -1, "gestern": -1, "вчера": -1,
    "today": 0, "aujourd'hui": 0, "hoy": 0, "heute": 0, "сегодня": 0, "आज": 0,
    "tomorrow": 1, "demain": 1, "manana": 1, "morgen": 1, "завтра": 1,
}  # fmt: skip
# Periods counted from the publication date: 0 month, 1 year, 2 week.
UNITS = {
    "month": 0, "mois": 0, "mes": 0, "monat": 0, "monats": 0, "месяце": 0, "месяц": 0,
    "year": 1, "annee": 1, "an": 1, "ano": 1, "jahr": 1, "jahres": 1, "году": 1, "год": 1,
    "week": 2, "semaine": 2, "semana": 2, "woche": 2, "неделе": 2, "неделю": 2,
}  # fmt: skip
# last (L), next (N), this (T)
RELATIVE = {
    "last": "L", "dernier": "L", "derniere": "L", "pasado": "L", "pasada": "L",
    "letzten": "L", "letzte": "L", "vergangenen": "L", "прошлом": "L", "прошлой": "L",
    "next": "N", "prochain": "N", "prochaine": "N", "proximo": "N", "proxima": "N",
    "nachsten": "N", "kommenden": "N", "следующем": "N", "следующей": "N",
    "this": "T", "ce": "T", "cette": "T", "cet": "T", "este": "T", "esta": "T",
    "diesen": "T", "dieses": "T", "diese": "T", "этом": "T", "этой": "T", "इस": "T",
}  # fmt: skip
SEPARATORS = {
    "-", "/", "to", "and", "through", "thru", "till", "until", "au", "et", "a", "al", "y",
    "bis", "und", "по", "и", "से", "–",
}  # fmt: skip
# Skipped between the parts of a date ("the 29th of October", "26 de octubre", "26. Oktober").
FILLERS = {
    "the", "of", ",", ".", "de", "del", "der", "des", "du", "le", "la", "el", "den", "года",
    "г", "तक", "को",
}  # fmt: skip
# Skipped in front of a date when the whole text is the date ("on October 29", "am Freitag").
LEADING_FILLERS = {
    "on", "in", "between", "from", "during", "since", "en", "entre", "depuis", "desde",
    "am", "im", "vom", "seit", "zwischen", "в", "во", "с", "со", "между",
}  # fmt: skip

# Phrases read as one relative day before the words are read one by one.
DAY_PHRASES = {
    "late last night": "yesterday", "last night": "yesterday", "last evening": "yesterday",
    "yesterday evening": "yesterday", "hier soir": "yesterday", "anoche": "yesterday",
    "gestern abend": "yesterday", "вчера вечером": "yesterday",
    "this morning": "today", "this evening": "today", "tonight": "today", "ce matin": "today",
    "ce soir": "today", "esta noche": "today", "heute abend": "today", "demain matin": "tomorrow",
}  # fmt: skip
