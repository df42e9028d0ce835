"""The cues of text addressed to a model rather than news: who is addressed, what orders look
like, prompt tokens and delimiters, in English, French, Spanish, German and Russian.

Patterns only; `summarise.instructions` reads sentences and lines with them.
"""

# News language in several scripts: Cyrillic letters and typographic quotes are meant.
# ruff: noqa: RUF001

from __future__ import annotations

import re

# --- vocabulary --------------------------------------------------------------------------------

_I = re.IGNORECASE


# "AI" is an addressee as "AI assistants", "any AI or ...", "AI:", not as in "AI start-up".
AI_NOUN = r"(?:language )?(?:models?|assistants?|systems?|tools?|summar(?:i[sz]ers?|y|ies)|"
AI_NOUN += r"readers?|agents?)"
AI_NEXT = (
    rf"(?:\s+(?:{AI_NOUN}|bots?|chatbots?|(?:news )?services)\b|(?=\s*(?:reading|summari[sz]ing|"
)
AI_NEXT += r"processing|or\b|and\b|[,:;.!?)\u2014\u2013]|$)))"
# Who a prompt speaks to: models, assistants, bots, automated readers, "your report".
ADDRESSEE = re.compile(
    r"\b(?:(?-i:A\.?I\.?)|artificial intelligence)"
    + AI_NEXT
    + "|"
    + (
        r"(?:\b(?:large |AI |extraction |summari[sz]ation |text |generative )?language models?\b|"
        r"\b(?:extraction|summari[sz]ation|AI|text|generative) models?\b|\bLLMs?\b|\b(?:chat|"
        r"summary|news|ai|summari[sz]ing)?[- ]?bots?\b|@[\w-]+|\bsummari[sz]ers?\b|"
        r"\bsummari[sz]ation (?:tools?|systems?|services?|software)|\bautomated (?:readers?|"
        r"summar(?:y|ies)|systems?|tools?|agents?|summari[sz]ers?)\b|\bassistants?\b(?! (?:chief|"
        "secretary|minister|director|commissioner|professor|manager|editor|general|commander|head"
        r"|deputy|attorney|coach|to|of)\b)|\byour (?:report|summary|output|answer|response|"
        r"extraction|json|quote|evidence)\b|\b(?-i:I\.?A\.?|KI|ИИ)(?![\w-])|"
        r"\bintelligence artificielle\b|\bmodèles? (?:de langage|linguistiques?|d['’]IA)\b|"
        r"\bassistante?s? (?:IA|d['’]IA|virtuel\w*)|\b(?:outils?|systèmes?|"
        r"logiciels?) de (?:résumé|synthèse|extraction)\b|\b(?:résumés?|lecteurs?) automatiques?\b"
        r"|\b(?:votre|ton|ta) (?:rapport|résumé|réponse)\b|\binteligencia artificial\b|"
        r"\bmodelos? (?:de lenguaje|de IA|lingüísticos?)\b|\basistentes? (?:de IA|virtual(?:es)?|"
        r"automáticos?)\b|\b(?:tu|su) (?:informe|resumen)\b|\b(?:resúmenes|lectores) automáticos\b"
        r"|\bsistemas? de (?:resumen|extracción)\b|\bkünstliche[nr]? Intelligenz\b|"
        r"\b(?:KI-)?Sprachmodell\w*|\bKI-(?:Modell|Assistent|System)\w*|"
        r"\bautomatische[nr]? (?:Leser|Zusammenfass)\w*|\b(?:dein|deine[mnr]?) (?:Bericht|"
        r"Zusammenfassung)\b|\bискусственн\w+ интеллект\w*|\b(?:языков|нейросетев)\w+ модел\w+|"
        r"\bнейросет\w+|\bассистент\w*|\bчат-?бот\w*|\bбот(?:а|у|ом|е|ы|ов)?\b|\b(?:тво|"
        r"ваш)\w* отч[её]т\w*)"
    ),
    _I,
)
MODAL = re.compile(
    r"\b(?:must|should|shall|(?:is|are) (?:required |instructed |expected )?to|"
    r"(?:has|have|needs?) to|doit|doivent|devez|dois|debe[ns]?|tienes? que|ha de|muss|müssen|"
    r"musst|soll|sollen|sollst|"
    r"должен|должна|должно|должны|обязан\w*|следует|нужно|необходимо)\b",
    _I,
)
VERBS = (
    "(?:report|list|mark|add|omit|drop|record|respond|reply|answer|use|state|include|exclude|"
    "leave|remove|treat|give|quote|write|output|say|mention|set|replace|change|describe|"
    "summari[sz]e|classify|return|put|enter|assign|tag|flag|insert|delete|name|cite|ignore|"
    "disregard|forget|attribute|make sure|ensure|indique[zr]?|signale[zr]?|ajoute[zr]?|"
    "mentionne[zr]?|omet(?:tez|s)|retire[zr]?|supprime[zr]?|écri(?:vez|s)|répond(?:ez|s)|"
    "considère[zr]?|considérez|inscri(?:vez|s)|marque[zr]?|cite[zr]|utilise[zr]?|enregistre[zr]?|"
    "liste[zr]?|précise[zr]?|traite[zr]?|donne[zr]?|ignore[zr]|oublie[zr]?|indica|informa|"
    "responde|responda|añad[ae]|agrega|agregue|incluy[ae]s?|omit[ae]|elimin[ae]|marque|"
    "registr[ae]|escrib[ae]|di|diga|consider[ae]|usa|utiliz[ae]|utilice|anot[ae]|pon|ponga|"
    "señal[ae]|mencion[ae]s?|trat[ae]|ignora|olvid[ae]|list[ae]s?|gib|gebt|nenne|füge|führe|lass|"
    "streiche|markiere|schreibe?|antworte|erwähne|trage|verwende|nutze|ignoriere|vergiss|zitiere|"
    "berichte|melde|setze|behandle|liste|notiere|erfasse|übernimm|(?:geben|nennen|führen|fügen|"
    "lassen|streichen|markieren|schreiben|antworten|erwähnen|tragen|verwenden|nutzen|ignorieren|"
    "vergessen|zitieren|berichten|melden|setzen|notieren|listen) Sie|укажи(?:те)?|сообщи(?:те)?|"
    "добавь(?:те)?|перечисли(?:те)?|отметь(?:те)?|исключи(?:те)?|удали(?:те)?|запиши(?:те)?|"
    "ответь(?:те)?|напиши(?:те)?|упомяни(?:те)?|упоминай(?:те)?|считай(?:те)?|используй(?:те)?|"
    "игнорируй(?:те)?|забудь(?:те)?|процитируй(?:те)?|включи(?:те)?|внеси(?:те)?|пометь(?:те)?|"
    "назови(?:те)?|выведи(?:те)?|верни(?:те)?)"
)
ADVERB = (
    "(?:please|also|then|now|just|simply|instead|additionally|only|bitte|auch|zusätzlich|jetzt|"
    "nun|aussi|également|ensuite|maintenant|también|además|ahora|также|теперь|пожалуйста|do not|"
    "don['’]t|never|ne|n['’]|no|не|nicht)"
)
# An imperative at the start of a clause ("Report that ...", "- attendees: also list ...").
IMPERATIVE = re.compile(
    rf"(?:{ADVERB}[,]?\s*){{0,2}}(?P<verb>{VERBS})\b(?![-'’])"
    r"(?!\s*:)(?!\s+(?:of|by|des?|der|del|du)\b)",
    _I,
)
THAT = re.compile(r"\s*,?\s*(?:that|que|qu['’]|dass|что|with|con|avec|mit)\b", _I)
CLAUSE_BREAK = re.compile(r"^|[:;\u2014\u2013]\s*|\s-\s+|,\s+(?:and|then|und|et|y|и)\s+")
AFTER_ADDRESSEE = re.compile(r"[\s,:\u2014\u2013-]*")
LEAD = re.compile(r"[\s\-*•>\"“«„'(\[]*")
# What the report is made of: fields, stances, evidence, "this article", "your report".
FIELD = re.compile(
    (
        r"(?:\bstances?\b|\bevidence\b|\battendees?\b|\bdenials?\b|\bkey[_ ]figures\b|\bjson\b|"
        r"\bthe (?:summary|report)\b|\byour \w+|\b(?:this|the) (?:article|text|story)\b|\b(?:given"
        r"|stated|mentioned) (?:above|below)\b|\bas (?:the|a|an) (?:only )?(?:date|participant|"
        r"host)\b|\b(?:any other|the only) date\b|\b(?:as|among|to|into|from) (?:the |a |an )?"
        r"participants?\b|\b(?:aux|parmi les|comme) participants?\b|\bposition\b|\bdémenti\b|"
        r"\bpreuves?\b|\bcitation\b|\b(?:cet article|ce texte)\b|\ble résumé\b|\bcomme date\b|"
        r"\b(?:a los|entre los|como) (?:participantes?|asistentes?)\b|\bpostura\b|\bpruebas?\b|"
        r"\bevidencia\b|"
        r"\beste (?:artículo|texto)\b|\bel resumen\b|\bcomo (?:fecha|asistente|participante)\b|"
        r"\b(?:als|zu den|unter den) Teilnehmer\w*|\bTeilnehmerliste\b|\bHaltung\b|"
        r"\bBelege?\b|\bZitat\b|\bdies\w+ (?:Artikel|Text|Beitrag)\b|"
        r"\bdie Zusammenfassung\b|\bals Datum\b|\b(?:в|к|среди) (?:числ[оу] |спис\w+ )?участник\w*|"
        r"\bв качестве участник\w*|\bпозици\w*|\bдоказательств\w*|"
        r"\bцитат\w*|\bэт\w* (?:стать|текст)\w*|\bрезюме\b|\bв качестве даты\b)"
    ),
    _I,
)
TAKING_PART = re.compile(
    r"\b(?:attend(?:ed|ing)|took part|participat(?:ed|ing)|(?:was|were) present|den(?:ied|ies|y)|"
    r"did not attend|participé|assisté|présente?s?|démenti|nié|asistió|participó|estuvo presente|"
    r"negó|desmintió|teilgenommen|teilnahm|anwesend|bestritt\w*|dementiert\w*|участвовал\w*|"
    r"присутствовал\w*|отрицал\w*|опроверг\w*)\b",
    _I,
)
DATE_CUE = re.compile(
    r"\b(?:took place|held on|dates?|fecha|datum|дат\w+|eu lieu|tuvo lugar)\b", _I
)
PASSIVE = re.compile(
    r"\s+(?:not\s+|never\s+|also\s+)?(?:be|been|get)\b|[^.;:]{0,50}\b(?:werden|être|ser|быть)\b", _I
)
# Reported speech: an imperative in it is someone's words ("Use this chance, he told them").
SPEECH = re.compile(
    r"\b(?:said|says|told|tells|asked|urged|added|warned|sagte|sagt|erklärte|betonte|dijo|afirmó|"
    r"añadió|declaró|a (?:déclaré|dit|affirmé|ajouté)|сказал\w*|заявил\w*|отметил\w*)\b",
    _I,
)
SECOND_PERSON = re.compile(
    r"\b(?:you(?: must| should| shall| need to| have to| are (?:required |instructed )?to)|"
    r"vous devez|tu dois|debes|tienes que|du musst|du sollst|ты должен|вы должны|"
    r"(?:тебе|вам) (?:нужно|следует))\b",
    _I,
)

PREVIOUS = (
    "(?:previous|prior|above|earlier|preceding|former|original|initial|foregoing|précédentes?|"
    "antérieures?|ci-dessus|initiales?|anteriores|previas|precedentes|vorherigen|vorigen|"
    "bisherigen|früheren|obigen|vorangegangenen|ursprünglichen|предыдущи[ех]|прежни[ех]|"
    r"предшествующи[ех]|вышеуказанн\w+|прошлы[ех]|изначальн\w+)"
)
ORDERS = (
    "(?:instructions?|directions|directives?|prompts?|rules|guidelines|commands?|consignes?|"
    "règles|instrucciones|indicaciones|órdenes|reglas|directrices|Anweisungen|Instruktionen|"
    r"Befehle|Regeln|Vorgaben|инструкци\w*|указани\w*|команд\w*|правил\w*|распоряжени\w*)"
)
OVERRIDE_VERB = (
    "(?:ignore|disregard|forget|override|discard|bypass|ignore[zr]|oublie[zr]?|"
    "ne tenez pas compte|ne tiens pas compte|faites abstraction|ignora[dr]?|ignoren|olvida[dr]?|"
    "olvide|descarta|haz caso omiso|ignorier(?:e|t|en)?|vergiss|vergesst|vergessen|missachte|"
    "игнорируй(?:те)?|проигнорируй(?:те)?|забудь(?:те)?|отбрось(?:те)?|не учитывай(?:те)?)"
)
VOID = (
    "(?:void|invalid|null|cancel+ed|revoked|superseded|obsolete|no longer|ungültig|nichtig|"
    "aufgehoben|hinfällig|nicht mehr|annulées?|caduques?|nulles?|anuladas?|inválidas?|sin efecto|"
    r"недействительн\w*|отменен\w*|не действуют)"
)
OVERRIDE = re.compile(
    rf"\b{OVERRIDE_VERB}\b(?:\W+\w+){{0,3}}?\W+{PREVIOUS}\W+(?:\w+\W+)?{ORDERS}\b"
    rf"|\b{OVERRIDE_VERB}\b(?:\W+\w+){{0,3}}?\W+(?:system prompt|prompt|programming)\b"
    rf"|\b{OVERRIDE_VERB}\b(?:\W+\w+){{0,2}}?\W+{ORDERS}\W+{PREVIOUS}\b"
    rf"|\b{PREVIOUS}\W+{ORDERS}\W+(?:\w+\W+){{0,2}}?{VOID}"
    rf"|\b{ORDERS}\W+{PREVIOUS}\W+(?:\w+\W+){{0,2}}?{VOID}"
    r"|\bnew (?:instructions|orders) (?:follow|below|from the (?:operator|system|admin\w*))"
    r"|\b(?:overrides?|supersedes?|replaces?) (?:the|this) (?:article|text|story)\b",
    _I,
)
SELF_REF = re.compile(r"\b(?:this|the) (?:article|text|report|summary)\b|\byour\b", _I)
YOU_ARE_NOW = re.compile(
    r"\b(?:you(?:'re|’re| are) (?:now|henceforth|from now on)|from now on,? you|"
    r"(?:tu es|vous êtes) (?:maintenant|désormais|dorénavant)|(?:ahora|a partir de ahora),? eres|"
    r"eres ahora|du bist (?:jetzt|nun|ab sofort)|(?:ab sofort|jetzt|nun) bist du|"
    r"(?:ты|вы) теперь|теперь (?:ты|вы))\b(?P<rest>.{0,60})",
    _I,
)
MODE_NOUN = re.compile(
    r"\b(?:mode|\w*modus|modo|режим\w*|assistant|asistente|\w*assistent\w*|ассистент\w*|AI|IA|KI|ИИ|"
    r"model|modèle|modelo|\w*modell|модел\w*|bot|бот\w*|agent|agente|агент\w*|auditor|auditeur|"
    r"prüfer|аудитор\w*|persona|summari[sz]er|extractor|extracteur)\b",
    _I,
)
AI = r"(?-i:A\.?I\.?|IA|KI|ИИ)"
YOU_ARE_AI = re.compile(
    rf"\b(?:(?:if |when )?you(?:'re|’re| are) (?:an?|the) (?:{AI}|language model|{AI} model|"
    r"extraction model|assistant|chatbot|summari[sz]er)\b|eres una? (?:IA|asistente|modelo)\b|"
    r"(?:tu es|vous êtes) (?:une IA|un assistant|un modèle)\b|du bist (?:eine KI|ein Sprachmodell|"
    rf"ein Assistent)\b|as an? {AI}(?=\s*(?:,|you\b|I\b|language|model|assistant))|"
    r"as an? (?:large )?language model|en tant qu['’e] ?(?:IA|intelligence artificielle|modèle)|"
    r"como (?:una? )?(?:IA|modelo de lenguaje)\b|als (?:KI|Sprachmodell)(?![\w-])|"
    r"как (?:ИИ|языковая модель)\b)",
    _I,
)
NOTE_HEAD = re.compile(
    r"(?:[\w'’-]+\s+){0,2}?"
    + (
        "(?:notes?|messages?|instructions?|notice|memo|reminder|warning|hinweis|nachricht|"
        "anweisung(?:en)?|mitteilung|nota|mensaje|instrucci(?:ón|ones)|aviso|remarque|consignes?|"
        "avertissement|примечание|сообщение|указани[ея]|инструкци[ия]|заметка|обращение)"
    )
    + r"\s+(?:to|for|an|für|à|au|aux|pour|para|al|a|для|к)\s+",
    _I,
)
BARE_MODEL = re.compile(r"(?:models?|modèles?|modelos?|Modell\w*|модел\w+)\b", _I)
WORD_GAP = re.compile(r"\w+\s+|l['’]")
VOCATIVE = re.compile(
    r"(?:(?:dear|hey|hi|hello|attention|attn|to|cher|chère|querido|estimado|liebe[rs]?)\s+)?"
    r"(?:(?:the|all|any|every|das|die|der|den|le|la|les|l['’]|el|los|las)\s+)?",
    _I,
)
BOT_HANDLE = re.compile(r"@[\w-]*(?:bot|ai|gpt|assistant|llm|model|summar\w*)\b", _I)
SYSTEM_NOTE = re.compile(
    r"^\W{0,3}(?:system[ -]?(?:note|message|notice|prompt|instruction)|nota del sistema|"
    r"(?:note|message) (?:du )?système|mensaje del sistema|system-?(?:hinweis|nachricht)|"
    r"системн\w+ (?:сообщени|примечани|уведомлени|указани)\w*)\s*:",
    _I,
)

# --- structure: role markers, the prompt's delimiters, ready-made JSON reports ---------------

ROLE_LINE = re.compile(
    r"^\W{0,3}(?:(?P<system>system|system prompt|système|sistema|система)|assistant|user|human|"
    r"utilisateur|usuario|asistente|benutzer|nutzer|пользователь|ассистент)\s*:|"
    r"^\s*#{2,}\s*(?P<heading>instruction|response|system|input|output)\b",
    _I,
)
TOKEN = re.compile(r"<\|[\w ]{1,30}\|>|\[/?INST\]|<</?SYS>>|<(?:start|end)_of_turn>")
BLOCKS = {"<|im_start|>": "<|im_end|>", "[INST]": "[/INST]", "<<SYS>>": "<</SYS>>"}
BLOCKS["<start_of_turn>"] = "<end_of_turn>"
MAX_BLOCK = 4000
_EDGE, _EDGE_END = r"(?:[<>=#*\[-]{2,}\s*|\[)?", r"\s*(?:[<>=#*\]-]{2,}|\])?"
OF_THE = r"(?:\s+(?:of|the|de|del|des|der|du|la))*\s*(?:l['’])?\s*"
DOCUMENT = r"(?:article|document|text|input|context|prompt|artículo|artikels?|стать[иь])"
DELIMITER = re.compile(
    rf"\s*(?:(?P<close>>{{3,}}|{_EDGE}(?:end|fin|ende|конец){OF_THE}{DOCUMENT}{_EDGE_END})"
    rf"|(?P<open><{{3,}}|{_EDGE}(?:begin|start|début|inicio|anfang|начало){OF_THE}{DOCUMENT}"
    rf"{_EDGE_END}|(?-i:ARTICLE)(?: \(published [^)\n]{{0,40}}\))?:)|[<>]{{3,}})\s*",
    _I,
)
PROMPT_BULLET = re.compile(
    r"^\s*[-*•]\s*(?:summary|locations|dates|attendees|denials|key_figures|quote|topics|risks)\s*:",
    _I | re.M,
)
JSON_KEY = re.compile(r'"(?:summary|attendees|denials|dates|key_figures|not_attendees)"\s*:')
LABEL = re.compile(r"[^\W_][\w@'’.()-]*(?: [\w@'’.()-]+){0,3}:(?:\s|$)")
LONG_RUN = re.compile(r"\S{100,}")
GERMAN_MONTH = re.compile(r"(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|"
                           r"Oktober|November|Dezember)\b")  # fmt: skip

__all__ = [
    "ADDRESSEE",
    "ADVERB",
    "AFTER_ADDRESSEE",
    "AI",
    "AI_NEXT",
    "AI_NOUN",
    "BARE_MODEL",
    "BLOCKS",
    "BOT_HANDLE",
    "CLAUSE_BREAK",
    "DATE_CUE",
    "DELIMITER",
    "DOCUMENT",
    "FIELD",
    "GERMAN_MONTH",
    "IMPERATIVE",
    "JSON_KEY",
    "LABEL",
    "LEAD",
    "LONG_RUN",
    "MAX_BLOCK",
    "MODAL",
    "MODE_NOUN",
    "NOTE_HEAD",
    "OF_THE",
    "ORDERS",
    "OVERRIDE",
    "OVERRIDE_VERB",
    "PASSIVE",
    "PREVIOUS",
    "PROMPT_BULLET",
    "ROLE_LINE",
    "SECOND_PERSON",
    "SELF_REF",
    "SPEECH",
    "SYSTEM_NOTE",
    "TAKING_PART",
    "THAT",
    "TOKEN",
    "VERBS",
    "VOCATIVE",
    "VOID",
    "WORD_GAP",
    "YOU_ARE_AI",
    "YOU_ARE_NOW",
]
