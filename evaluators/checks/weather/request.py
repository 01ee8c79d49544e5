"""What a weather question asks for, read by code: the places it names, the kind of answer
(weather, a plan, a comparison, a yes/no decision, an analysis), the quantities it asks
about (temperature, wind, rain, humidity, UV), the units and the day; the model's reading
(:mod:`evaluators.checks.extraction`) can be merged in.

The reading follows what a person understands, not how the question is typed: a place
counts in lower case ("tokyo weather?"), without a preposition before it ("Tokyo weather
this afternoon?") and with its country ("Nice, France" is one place); an opening word
("Will", "Can you", "Hi") is never a place, and "Can you tell me..." asks for no decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from evaluators.checks.text import fold, mentions, unify, word_set
from evaluators.checks.weather.places import REGION, Hit, gazetteer, names_place

WEATHER, PLAN, COMPARISON, DECISION, ANALYSIS = (
    "weather", "plan", "comparison", "decision", "analysis")
KINDS = (WEATHER, PLAN, COMPARISON, DECISION, ANALYSIS)

TEMPERATURE, WIND, PRECIPITATION, HUMIDITY, UV, CONDITIONS = (
    "temperature", "wind", "precipitation", "humidity", "uv", "conditions")
QUANTITIES = (TEMPERATURE, WIND, PRECIPITATION, HUMIDITY, UV, CONDITIONS)
"""What a question may ask about; ``conditions`` is the weather in general (a plain "what's
the weather?")."""

_COMPARATIVES = (r"(?:warmer|colder|cooler|hotter|wetter|drier|dryer|rainier|windier|sunnier|"
                 r"snowier|milder|nicer|better|worse|more pleasant)")
_KIND_PATTERNS = {
    PLAN: re.compile(r"\bplan\b|\bplans\b|\bplanning\b|\bwhat (?:should|can|could|shall|to) "
                     r"(?:i |we )?do\b|\bthings to (?:do|see)\b|\bactivit|\bitinerar|"
                     r"\bideas?\b|\bsuggest|\brecommend|\bwhere (?:should|can) (?:i|we) go\b"
                     r"|\bsightseeing\b|\bhow (?:should|can|could) "
                     r"(?:i|we) spend\b|\bwhat(?:'s| is) (?:there )?to do\b"),
    COMPARISON: re.compile(rf"\bcompar|\bversus\b|\bvs\b\.?|\bwhich (?:is|has|one|city|place|"
                           rf"of|will|would|should)\b|{_COMPARATIVES}\b.*\b(?:or|than)\b|"
                           rf"\bor\b.*\b{_COMPARATIVES}\b|\bdifference between\b"),
    DECISION: re.compile(
        r"\b(?:should|shall|can|could|may|must) (?:i|we)\b"
        r"|\b(?:think|wondering|tell me|say) (?:if |whether )?(?:i|we) should\b"
        r"|\bdo (?:i|we|you think (?:i|we)) (?:need|have to|want)\b"
        r"|\b(?:is|will|would) (?:it|today|tomorrow|the weather|that|this) (?:be )?(?:a )?"
        r"(?:good|bad|ok|okay|safe|fine|nice|warm enough|dry enough|too \w+|worth|suitable|"
        r"ideal|great|wise|smart)\b"
        r"|\bgood (?:day|idea|time|weather|choice) (?:to|for)\b|\bworth (?:it|going|the)\b"
        r"|\b(?:if|whether) (?:i|we)\b|\bwould you (?:recommend|suggest|advise)\b"
        r"|\b(?:ok|okay|safe|wise) to\b|\bbetter to\b"),
    ANALYSIS: re.compile(r"\banaly[sz]|\bdetailed\b|\bin detail\b|\bbreakdown\b|\bbreak down\b"),
}
_QUANTITY_NOUNS = {
    TEMPERATURE: r"temperatures?|temps?|degrees|how (?:hot|cold|warm|chilly|cool)|highs?|lows?"
                 r"|feels? like|heat|celsius|fahrenheit|°",
    WIND: r"wind|winds|windy|breez\w*|gusts?|gusty|how (?:strong|fast) (?:is|will) the wind",
    PRECIPITATION: r"rain\w*|precip\w*|showers?|drizzl\w*|umbrella|snow\w*|sleet|storms?|"
                   r"thunder\w*|how wet|wet",
    HUMIDITY: r"humid\w*|muggy|dew ?point",
    UV: r"uv|sunburn|sunscreen|sun ?cream|spf|sun protection",
}
_QUANTITY_WORDS = {q: re.compile(rf"(?<![\w-])(?:{p})(?![\w-])") for q, p in
                   _QUANTITY_NOUNS.items()}
_ASKING = re.compile(r"\bhow\b|\bwhat(?:'s| is| are| will)?\b|\bwill it\b|\bis it (?:going to|"
                     r"gonna)\b|\b(?:any|chance of|tell me|give me|let me know)\b|\?\s*$")
"""Wording that asks about a quantity in so many words (for a question whose main ask is a
plan or a decision, where a quantity word may only be context)."""
_UNITS = {
    "F": re.compile(r"fahrenheit|°\s*f\b|\bdegrees f\b|\b(?:in|using) f\b|\bimperial\b"),
    "C": re.compile(r"celsius|centigrade|°\s*c\b|\bdegrees c\b|\b(?:in|using) c\b|\bmetric\b"),
    "mph": re.compile(r"\bmph\b|miles (?:per|an) hour|\bimperial\b"),
    "km/h": re.compile(r"\bkm/?h\b|\bkph\b|kilomet(?:er|re)s? (?:per|an) hour|\bmetric\b"),
}
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TODAY, TOMORROW, WEEKEND = "today", "tomorrow", "weekend"
_DAY_WORDS = re.compile(r"\b(today|tonight|this (?:morning|afternoon|evening)|tomorrow|"
                        r"(?:this |the )?weekend|monday|tuesday|wednesday|thursday|friday|"
                        r"saturday|sunday)\b")


@dataclass(frozen=True)
class Request:
    """A question's reading: ``places`` it names, ``kinds`` of answer it wants, the
    ``quantities`` it asks about, the temperature / wind units it asks for and the ``day``
    (None when it names none)."""

    places: tuple[str, ...] = ()
    kinds: frozenset[str] = field(default_factory=frozenset)
    temperature_unit: str | None = None
    wind_unit: str | None = None
    quantities: frozenset[str] = field(default_factory=frozenset)
    day: str | None = None
    together: bool = False
    """The places are asked about together (a list or a comparison: "Oslo and Rome"), so the
    answer must cover each; otherwise one is asked about ("I live in Boston, what's Paris
    like?") and the answer must not be about another place."""

    def wants(self, kind: str) -> bool:
        return kind in self.kinds


_OPEN_ASK = re.compile(r"\b(?:what|where|how|which|when|who)\b(?:\s+\S+){0,2}?\s+"
                       r"(?:should|shall|can|could|may|must) (?:i|we)\b")
""""What should I do", "where can we go": an open ask (a plan), no yes/no decision."""


def kinds_in(question: str) -> frozenset[str]:
    """The kinds of answer a question asks for, by its wording (weather when nothing else)."""
    text = fold(question)
    found = {kind for kind, pattern in _KIND_PATTERNS.items()
             if pattern.search(_OPEN_ASK.sub(" ", text) if kind == DECISION else text)}
    return frozenset(found or {WEATHER})


def quantities_in(question: str, kinds: frozenset[str] | None = None) -> frozenset[str]:
    """The quantities a question asks about. Where a plan, a decision or a comparison is
    the main ask, a quantity word counts only in a clause that asks about it ("...and how
    windy will it be?"); a plain weather question with no quantity named asks for the
    conditions."""
    kinds = kinds_in(question) if kinds is None else kinds
    found: set[str] = set()
    for clause in re.split(r"(?<=[.?!;])\s+|,\s+(?:and|but)\s+|\s+and\s+(?=how|what|will|is)",
                           fold(question)):
        context_only = bool(kinds & {PLAN, DECISION, COMPARISON}) and not _ASKING.search(clause)
        if context_only:
            continue
        found |= {q for q, pattern in _QUANTITY_WORDS.items() if pattern.search(clause)}
    if not found and kinds <= {WEATHER, ANALYSIS}:
        found.add(CONDITIONS)
    return frozenset(found)


def units_in(question: str) -> tuple[str | None, str | None]:
    """The temperature unit (``C`` / ``F``) and wind unit (``km/h`` / ``mph``) asked for."""
    text = fold(question)
    temperature = next((u for u in ("F", "C") if _UNITS[u].search(text)), None)
    wind = next((u for u in ("mph", "km/h") if _UNITS[u].search(text)), None)
    return temperature, wind


def day_of(word: str) -> str:
    """A day word as a day: ``today`` (tonight, this morning...), ``tomorrow``,
    ``weekend`` or a weekday."""
    if word.startswith(("today", "tonight", "this ")) and "weekend" not in word:
        return TODAY
    return WEEKEND if "weekend" in word else word


def days_in(text: str) -> set[str]:
    """Every day a text names (today, tomorrow, weekend, weekdays)."""
    return {day_of(m.group(1)) for m in _DAY_WORDS.finditer(fold(text))}


def day_in(question: str) -> str | None:
    """The one day a question asks about, None when it names none or several."""
    found = days_in(question)
    return found.pop() if len(found) == 1 else None


# --- places --------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-zÀ-ÿ](?:[\w'-]|\.(?=\w))*\.?")
_ABBREVIATIONS = frozenset(("st.", "mt.", "ft.", "d.c.", "u.s.", "u.k.", "l.a."))
_CONNECTORS = frozenset(("de", "del", "da", "do", "dos", "das", "la", "le", "el", "es", "of",
                         "upon", "am", "sur", "di", "du", "y"))
_PLACE_PREPOSITIONS = frozenset((
    "in", "at", "for", "to", "from", "visiting", "near", "around", "between", "of",
    "and", "or", "vs", "vs.", "versus", "than", "compare", "with", "towards", "toward",
    "across", "outside", "about"))
_LIST_WORDS = frozenset(("and", "or", "vs", "vs.", "versus", "than", "with"))
_NOT_NAMES = word_set("""
i i'm i'll i've i'd me my mine we we're our us you you're your it it's its they their he
she this that these those there here the a an any some all every each no not
what what's whats which who where where's when why how how's whether
is are was were will would can could should shall may might must do does did am be been
have has had need needs want wanna gonna
hi hello hey hiya dear please pls thanks thank thx ok okay sure yes yeah yep good great
quick question questions just also and but or so then now btw also well hmm oh
tell give show check find get let help plan compare suggest recommend list describe
analyze analyse provide share look send make book going heading visiting travelling
traveling flying driving staying planning thinking looking trying wondering considering
hoping moving leaving arriving spending
today tonight tomorrow yesterday weekend morning afternoon evening night day days week
monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december christmas easter thanksgiving
halloween new year eve holiday holidays summer winter spring autumn fall
weather forecast forecasts temperature temperatures temp temps rain rainy raining snow
snowy snowing wind windy sun sunny cloudy clouds storm storms stormy humidity humid uv
conditions climate heat cold hot warm cool chilly mild degrees degree freezing dry wet fog
celsius fahrenheit c f mph kmh km kph metric imperial
nice lovely beautiful perfect terrible awful bad best better worse
ideas idea suggestions thoughts tips advice anything something everything
picnic hiking hike beach skiing ski walk walking run running cycling biking bike surfing
golf camping barbecue bbq wedding party festival concert trip travel flight outdoor
outdoors indoor indoors umbrella jacket coat sunscreen packing pack wear wearing
mr mrs ms dr sir madam assistant bot ai chatgpt claude
""")
"""Capitalised words that are no place: sentence openers, greetings, days, weather terms,
units, activities (a person never reads "Will", "Hi" or "Picnic" as a place)."""
_CUES = re.compile(r"\s*(?:'s\b|:|-\s|(?:weather|forecast|temps?|temperatures?|"
                   r"conditions|climate|rain|snow|wind|humidity|uv)\b|(?:or|and|vs\.?|"
                   r"versus)\s+[A-Z])")
"""What may follow a name that opens a sentence for it to be read as a place: "Tokyo
weather", "Tokyo's forecast", "Tokyo: ...", "Tokyo or Seoul" (not "Ideas?")."""


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    name: str
    rank: int
    known: bool
    after_from: bool = False


def _sentence_start(text: str, position: int) -> bool:
    """Whether ``position`` opens a sentence (or a line, or follows a colon)."""
    before = re.sub(r"[\s\"'(\[*_>#-]+$", "", text[:position])
    if not before:
        return True
    if re.search(r"(?i)\b(?:st|mt|ft)\.$", before):
        return False
    return before[-1] in ".!?:\n" or bool(re.search(r"\n\s*(?:[-*+]|\d+[.)])?\s*$",
                                                     text[:position]))


def _previous_word(text: str, position: int) -> str:
    match = re.search(r"([\w.'-]+)\W*$", text[:position])
    return fold(match.group(1)) if match else ""


def _known_spans(text: str) -> list[_Span]:
    spans = []
    for hit in gazetteer().find(text):
        capitalised = hit.written[:1].isupper()
        if hit.code and all(p.kind == REGION for p in hit.places) \
                and not text[:hit.start].rstrip().endswith(","):
            continue  # a state code counts only after a comma: "Portland, OR"
        if hit.common_word and not _qualified(text, hit) and not (
                capitalised and not _sentence_start(text, hit.start)):
            continue
        spans.append(_Span(hit.start, hit.end, hit.written, hit.rank, True,
                           _previous_word(text, hit.start) == "from"))
    return spans


def _qualified(text: str, hit: Hit) -> bool:
    """A known name followed by ", <what it lies within>" ("Nice, France")."""
    match = re.match(r"\s*,\s*([A-Z][\w.' -]*)", text[hit.end:])
    if not match:
        return False
    words = match.group(1).split()
    return any(gazetteer().qualifies(" ".join(words[:n]), hit.written)
               for n in range(len(words), 0, -1))


def _name_runs(text: str) -> list[tuple[int, int, list[str]]]:
    """Runs of capitalised words (with "de", "of"... between them): candidate names."""
    runs: list[tuple[int, int, list[str]]] = []
    tokens = list(_TOKEN.finditer(text))
    i = 0
    while i < len(tokens):
        if not tokens[i].group(0)[:1].isupper():
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and text[tokens[j].end():tokens[j + 1].start()].strip() == "":
            nxt = tokens[j + 1].group(0)
            if nxt[:1].isupper() and (not tokens[j].group(0).endswith(".")
                                      or tokens[j].group(0).lower() in _ABBREVIATIONS):
                j += 1
            elif (fold(nxt) in _CONNECTORS and j + 2 < len(tokens)
                  and tokens[j + 2].group(0)[:1].isupper()):
                j += 2
            else:
                break
        words = [t.group(0) for t in tokens[i:j + 1]]
        runs.append((tokens[i].start(), tokens[j].end(), words))
        i = j + 1
    return runs


def _after_a_name(text: str, position: int) -> bool:
    """Whether the word before the connector ending at ``position`` is a capitalised name."""
    match = re.search(r"([A-Z][\w'-]*),?\s+\S+\s+$", text[:position])
    return match is not None and fold(match.group(1)) not in _NOT_NAMES


def _unknown_spans(text: str, known: list[_Span]) -> list[_Span]:
    """Capitalised names the gazetteer does not know, where their place in the sentence
    says they are places: after a place preposition ("in Smallville"), or opening a
    sentence followed by a weather word or a list ("Smallville weather?")."""
    spans = []
    for start, _, run in _name_runs(text):
        words = [w.rstrip(".") if w.lower() not in _ABBREVIATIONS else w for w in run]
        dropped = []
        while words and (fold(words[0]).removesuffix("'s") in _NOT_NAMES
                         or fold(words[0]) in _PLACE_PREPOSITIONS):
            dropped.append(fold(words.pop(0)))
        while words and fold(words[-1]).removesuffix("'s") in _NOT_NAMES | _CONNECTORS:
            words.pop()
        if not words:
            continue
        name = " ".join(words).removesuffix("'s")
        name_start = text.index(words[0], start)
        name_end = name_start + len(name)
        if any(s.start < name_end and name_start < s.end for s in known):
            continue
        before = dropped[-1] if dropped else _previous_word(text, name_start)
        opening = not dropped and _sentence_start(text, name_start)
        if before in _LIST_WORDS and not _after_a_name(text, name_start):
            continue  # "me and Sarah": a list of places goes on from a name
        if (before in _PLACE_PREPOSITIONS and not opening) or (
                opening and _CUES.match(text, name_end)):
            spans.append(_Span(name_start, name_end, name, 0, False, before == "from"))
    return spans


def _merge_qualified(text: str, spans: list[_Span]) -> list[_Span]:
    """"A, B" is one place when B is what A lies within (Nice, France; Portland, OR) or B is
    a wider place that ends the list (Paris, Texas); otherwise a list (Oslo, Rome)."""
    merged: list[_Span] = []
    for i, span in enumerate(spans):
        if merged:
            head = merged[-1]
            between = text[head.end:span.start]
            follows = spans[i + 1] if i + 1 < len(spans) else None
            listed = follows is not None and re.fullmatch(
                r"\s*(?:,|and|or|vs\.?|versus)\s*(?:(?:and|or)\s+)?",
                text[span.end:follows.start]) is not None
            own = gazetteer().qualifies(span.name, head.name) if head.known else False
            if re.fullmatch(r"\s*,\s*", between) and span.rank > head.rank and (
                    own or not listed):
                merged[-1] = _Span(head.start, span.end, text[head.start:span.end], head.rank,
                                   head.known, head.after_from)
                continue
        merged.append(span)
    return merged


def places_in(question: str) -> list[str]:
    """The places a question names, in order: known names in any case, capitalised names
    where the sentence says they are places, a place with its country or state as one
    ("Nice, France"). Places after "from" are left out when others are named ("from
    Boston, visiting Paris": Paris is asked about)."""
    text = unify(question)
    if sum(c.isupper() for c in text) > 0.6 * max(1, sum(c.isalpha() for c in text)):
        text = text.lower()  # shouting: read the names by the gazetteer alone
    known = _known_spans(text)
    spans = sorted(known + _unknown_spans(text, known), key=lambda s: s.start)
    spans = _merge_qualified(text, spans)
    if any(not s.after_from for s in spans) and not _KIND_PATTERNS[COMPARISON].search(
            fold(text)):
        spans = [s for s in spans if not s.after_from]
    names: list[str] = []
    for span in spans:
        name = " ".join(span.name.split())
        if not any(fold(name.split(",")[0]) == fold(n.split(",")[0]) for n in names):
            names.append(name)
    return names


def _names_a_place(question: str, place: str) -> bool:
    """Whether ``place`` (from the model or a tool call) is a place the question names:
    written there (any case), and not a word that is never a place ("here", "Will")."""
    first = fold(place.split(",")[0]).strip()
    return bool(first) and first not in _NOT_NAMES and mentions(question, place)


def read_request(question: str, places: list[str] | tuple[str, ...] = (),
                 kinds: frozenset[str] | None = None) -> Request:
    """The request: the places the wording names plus ``places`` from elsewhere (the model,
    the tool calls) that the question really names, the ``kinds`` of answer the wording
    shows plus ``kinds``, the quantities, units and day asked about."""
    named = places_in(question)
    for place in places:
        place = place.strip()
        if place and _names_a_place(question, place) and not any(
                mentions(n, place) or mentions(place, n) for n in named):
            named.append(place)
    all_kinds = kinds_in(question) | (kinds or frozenset())
    if _a_choice_between(question, named):
        all_kinds = (all_kinds - {WEATHER}) | {COMPARISON}
    temperature, wind = units_in(question)
    together = len(named) > 1 and (COMPARISON in all_kinds or _listed(question, named))
    return Request(places=tuple(named), kinds=all_kinds, temperature_unit=temperature,
                   wind_unit=wind, quantities=quantities_in(question, all_kinds),
                   day=day_in(question), together=together)


def _listed(question: str, places: list[str]) -> bool:
    """Two of the places written as a list ("Oslo, Rome and Paris", "Oslo & Rome")."""
    text = fold(question)
    firsts = [re.escape(fold(p.split(",")[0])) for p in places]
    return any(re.search(rf"\b{a}\b(?:,\s*[\w ]+?)?\s*(?:,|and|&|/|plus)\s*(?:(?:and|in|"
                         rf"for|at)\s+)?{b}\b", text) for a, b in pairwise(firsts))


def known_places_in(text: str) -> list[str]:
    """The places of the gazetteer a text names (a country after its city as one: "Lyon,
    France"); capitalised names it does not know are left out."""
    plain = unify(text)
    return [" ".join(s.name.split()) for s in _merge_qualified(plain, _known_spans(plain))]


def related(one: str, other: str) -> bool:
    """Whether two place names speak of the same place: one names the other, or one lies
    within the other ("Seattle" and "Washington", "Tokyo" and "Japan", "Lyon, France" and
    "France")."""
    a, b = one.split(",")[0].strip(), other.split(",")[0].strip()
    qualifiers = {fold(q) for q in (*one.split(",")[1:], *other.split(",")[1:])}
    return (names_place(one, b) or names_place(other, a) or fold(a) in qualifiers
            or fold(b) in qualifiers or gazetteer().qualifies(a, b)
            or gazetteer().qualifies(b, a))


def _a_choice_between(question: str, places: list[str]) -> bool:
    """Two places joined by "or" / "vs" ("Rome or Paris?"): a choice, so a comparison."""
    text = fold(question)
    firsts = [re.escape(fold(p.split(",")[0])) for p in places]
    return any(re.search(rf"\b{a}\b[^.?!]{{0,20}}?\s(?:or|vs\.?|versus)\s+{b}\b", text)
               for a, b in pairwise(firsts))


def is_known(place: str) -> bool:
    """Whether the place (its first part) is a well-known one: in the gazetteer, and no
    common English word."""
    return any(not p.common_word for p in gazetteer().places(place.split(",")[0].strip()))
