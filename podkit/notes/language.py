"""The few words the show notes write themselves, in the show's language: the opening line,
the byline, the date, and the names of the languages links are written in.

English, German, French, Spanish, Italian, Dutch and Portuguese; any other show language
gets the English words (and an ISO date), never a wrong guess.
"""

from __future__ import annotations

import datetime as dt

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
}
_DATE = {
    "en": "{d} {m} {y}",
    "de": "{d}. {m} {y}",
    "fr": "{d} {m} {y}",
    "es": "{d} de {m} de {y}",
    "it": "{d} {m} {y}",
    "nl": "{d} {m} {y}",
    "pt": "{d} de {m} de {y}",
}
_BY = {"en": "By", "de": "Von", "fr": "Par", "es": "Por", "it": "Di", "nl": "Door", "pt": "Por"}
_AND = {"en": "and", "de": "und", "fr": "et", "es": "y", "it": "e", "nl": "en", "pt": "e"}
# The opening line: with the guests, and without.
_OPENING = {
    "en": ("This week, {guests} joined us to talk about {topics}.", "This week: {topics}."),
    "de": ("Diese Woche zu Gast: {guests}, mit {topics}.", "Diese Woche: {topics}."),
    "fr": ("Cette semaine, avec {guests} : {topics}.", "Cette semaine : {topics}."),
    "es": ("Esta semana, con {guests}: {topics}.", "Esta semana: {topics}."),
    "it": ("Questa settimana, con {guests}: {topics}.", "Questa settimana: {topics}."),
    "nl": ("Deze week, met {guests}: {topics}.", "Deze week: {topics}."),
    "pt": ("Esta semana, com {guests}: {topics}.", "Esta semana: {topics}."),
}
_GUESTS_ONLY = {
    "en": "This week, {guests} joined us.",
    "de": "Diese Woche zu Gast: {guests}.",
    "fr": "Cette semaine, avec {guests}.",
    "es": "Esta semana, con {guests}.",
    "it": "Questa settimana, con {guests}.",
    "nl": "Deze week, met {guests}.",
    "pt": "Esta semana, com {guests}.",
}
_NAMES_EN = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "ca": "Catalan",
    "cs": "Czech",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "ga": "Irish",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "is": "Icelandic",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mi": "Māori",
    "ms": "Malay",
    "nb": "Norwegian Bokmål",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sr": "Serbian",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
_NAMES = {
    "en": _NAMES_EN,
    "de": {"de": "Deutsch", "en": "Englisch", "fr": "Französisch", "es": "Spanisch", "it": "Italienisch",
           "nl": "Niederländisch", "pt": "Portugiesisch", "zh": "Chinesisch", "ja": "Japanisch"},
    "fr": {"de": "allemand", "en": "anglais", "fr": "français", "es": "espagnol", "it": "italien",
           "nl": "néerlandais", "pt": "portugais", "zh": "chinois", "ja": "japonais"},
    "es": {"de": "alemán", "en": "inglés", "fr": "francés", "es": "español", "it": "italiano",
           "nl": "neerlandés", "pt": "portugués", "zh": "chino", "ja": "japonés"},
    "it": {"de": "tedesco", "en": "inglese", "fr": "francese", "es": "spagnolo", "it": "italiano",
           "nl": "olandese", "pt": "portoghese", "zh": "cinese", "ja": "giapponese"},
    "nl": {"de": "Duits", "en": "Engels", "fr": "Frans", "es": "Spaans", "it": "Italiaans",
           "nl": "Nederlands", "pt": "Portugees", "zh": "Chinees", "ja": "Japans"},
    "pt": {"de": "alemão", "en": "inglês", "fr": "francês", "es": "espanhol", "it": "italiano",
           "nl": "neerlandês", "pt": "português", "zh": "chinês", "ja": "japonês"},
}  # fmt: skip
# Regions a reader tells apart ("English (UK)" is no help; "Chinese (Traditional)" is).
_SCRIPTS = {"hant": "Traditional", "hans": "Simplified"}


def _lang(code: str) -> str:
    """The primary subtag of a BCP 47 code, lower case ("en-GB" -> "en")."""
    return code.split("-")[0].lower()


def _words(show_language: str) -> str:
    lang = _lang(show_language)
    return lang if lang in _BY else "en"


def language_name(code: str, show_language: str = "en") -> str:
    """The name of the language ``code`` (BCP 47) in the show's language: "English",
    "Chinese (Traditional)", "anglais"; the code itself where podkit knows no name."""
    names = _NAMES.get(_words(show_language), _NAMES_EN)
    base = names.get(_lang(code)) or _NAMES_EN.get(_lang(code))
    if base is None:
        return code
    script = next((_SCRIPTS[p.lower()] for p in code.split("-")[1:] if p.lower() in _SCRIPTS), None)
    return f"{base} ({script})" if script and _words(show_language) == "en" else base


def language_code(name: str, show_language: str = "en") -> str:
    """The code of a language name as ``language_name`` writes it; "" when it is none."""
    wanted = name.strip().casefold()
    for table in (_NAMES.get(_words(show_language), {}), _NAMES_EN):
        for code, known in table.items():
            if known.casefold() == wanted:
                return code
    for code in {*_NAMES_EN, *(c for t in _NAMES.values() for c in t)}:
        for script in ("hant", "hans"):
            if language_name(f"{code}-{script.title()}", show_language).casefold() == wanted:
                return f"{code}-{script.title()}"
    return ""


def date_label(when: dt.datetime | dt.date, show_language: str = "en") -> str:
    """The date as the show's language writes it: "20 November 2026", "20. November 2026",
    "20 de noviembre de 2026"; ISO 8601 in a language podkit has no month names for."""
    lang = _lang(show_language)
    if lang not in _MONTHS:
        return when.strftime("%Y-%m-%d")
    month = _MONTHS[lang].split()[when.month - 1]
    return _DATE[lang].format(d=when.day, m=month, y=when.year)


def byline(host: str, show_language: str = "en") -> str:
    return f"{_BY[_words(show_language)]} {host}" if host.strip() else ""


def join_names(names: list[str], show_language: str = "en") -> str:
    """ "A", "A and B", "A, B and C"; with semicolons where a name holds a comma."""
    if len(names) < 2:
        return "".join(names)
    word = _AND[_words(show_language)]
    if any("," in n for n in names):
        return "; ".join(names[:-1]) + f"; {word} " + names[-1]
    return ", ".join(names[:-1]) + f" {word} " + names[-1]


def opening_line(guests: list[str], topics: list[str], show_language: str = "en") -> str:
    """One sentence naming the guests (if any) and the topics, in the show's language."""
    if not topics and not guests:
        return ""
    with_guests, without = _OPENING[_words(show_language)]
    if not topics:  # guests and no story: name them alone
        return _GUESTS_ONLY[_words(show_language)].format(guests=join_names(guests, show_language))
    joined = join_names(topics, show_language)
    if guests:
        return with_guests.format(guests=join_names(guests, show_language), topics=joined)
    return without.format(topics=joined)
