"""What a weather answer gives, read by code: the quantities it states (temperature, wind,
rain, humidity, UV, the conditions), the conditions it asserts, the activities it suggests,
and whether it compares, decides or asks back. Every pattern is matched on folded text
(:func:`evaluators.checks.text.fold`) with word boundaries: "train" is no rain, "skies" no
ski trip, a curly apostrophe a straight one."""

from __future__ import annotations

import re

from evaluators.checks.text import fold, sentences
from evaluators.checks.weather.figures import has_figures, speeds, temperatures
from evaluators.checks.weather.request import (
    CONDITIONS,
    HUMIDITY,
    PRECIPITATION,
    TEMPERATURE,
    UV,
    WIND,
)


def _words(*alternatives: str, compounds: bool = False) -> re.Pattern[str]:
    """Whole words (or phrases) of folded text; with ``compounds``, also as part of a
    hyphenated word ("mountain-bike"), which a condition never is ("rain-free")."""
    if compounds:
        return re.compile(rf"\b(?:{'|'.join(alternatives)})\b")
    return re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives)})(?![\w-])")


CONDITION_WORDS = {
    "clear": _words(r"clear(?=\s*(?:[,.;:!]|and\b|$|sk|day|night|weather|conditions))",
                    r"mainly clear", r"sunny", r"sunshine", r"cloudless", r"blue skies?"),
    "cloudy": _words(r"partly cloudy", r"overcast", r"cloudy", r"clouds?", r"grey skies?",
                     r"gray skies?"),
    "fog": _words(r"fog", r"foggy", r"mist", r"misty", r"haze", r"hazy"),
    "rain": _words(r"drizzle", r"drizzly", r"rain", r"rains", r"rainy", r"raining",
                   r"rainfall", r"showers?", r"downpours?"),
    "snow": _words(r"snow", r"snowy", r"snowing", r"snowfall", r"sleet", r"flurr(?:y|ies)",
                   r"blizzard"),
    "storm": _words(r"thunderstorms?", r"thunder", r"storms?", r"stormy", r"lightning"),
}
"""The conditions an answer can assert, by class (the tool's wording included)."""
ROOM = {
    re.compile(r"partly (?:cloudy|sunny)|mainly clear|mostly (?:sunny|clear|cloudy)"):
        {"cloudy", "clear"},
    re.compile(r"sleet"): {"snow", "rain"},
    re.compile(r"thunder|storm"): {"storm", "rain"},
    re.compile(r"fog|mist"): {"fog", "cloudy"},
}
"""Reported conditions that leave room for more than their own class: partly cloudy is
some sun, sleet is snow and rain, a storm brings rain, fog is grey."""
_HEDGES = re.compile(r"\b(?:no|not|without|zero|chance|chances|risk|possibility|possible|"
                     r"case|if|unless|instead|rather|unlikely|avoid|avoiding|won't|isn't|"
                     r"aren't|don't|doesn't|never|nor|minimal|expect no)\b")
"""Words that, among the four before a condition, keep it from being asserted ("no rain",
"a chance of showers", "in case of rain")."""
_GEAR_AFTER = re.compile(r"^[\s-]*(?:risk|gear|jacket|coat|boots|chance|probability|check|"
                         r"free|proof|resistant|hat|glasses|cream|screen|protection)\b")


def conditions_in(text: str) -> set[str]:
    """The condition classes a text asserts; negated or hedged mentions ("no rain", "a
    chance of showers") and gear ("rain jacket") assert nothing."""
    found: set[str] = set()
    for sentence in sentences(text):
        folded = fold(sentence)
        for name, pattern in CONDITION_WORDS.items():
            for match in pattern.finditer(folded):
                before = " ".join(folded[:match.start()].split()[-4:])
                if not (_HEDGES.search(before) or _GEAR_AFTER.match(folded[match.end():])):
                    found.add(name)
                    break
    return found


def reported(conditions: str) -> set[str]:
    """The classes a tool's conditions wording leaves room for."""
    folded = fold(conditions)
    found = {name for name, pattern in CONDITION_WORDS.items() if pattern.search(folded)}
    for pattern, room in ROOM.items():
        if pattern.search(folded):
            found |= room
    return found


_GIVES = {
    TEMPERATURE: _words(r"degrees?", r"hot", r"warm", r"warmer", r"mild", r"cool", r"cooler",
                        r"cold", r"colder", r"chilly", r"freezing", r"frost(?:y)?", r"heat",
                        r"temperatures?", r"temps?", r"highs?", r"lows?", r"balmy",
                        r"scorching", r"icy", r"feels? like", r"\d+(?:\.\d+)?\s*°"),
    WIND: _words(r"wind", r"winds", r"windy", r"breeze", r"breezy", r"breezes", r"gusts?",
                 r"gusty", r"calm", r"gales?", r"blustery", r"still air"),
    PRECIPITATION: re.compile("|".join(p.pattern for p in CONDITION_WORDS.values())
                              + r"|(?<![\w-])(?:dry|wet|precipitation|umbrella)(?![\w-])"
                              + r"|\d\s*%"),
    HUMIDITY: _words(r"humid", r"humidity", r"muggy", r"sticky", r"dry air", r"damp",
                     r"dew ?point", r"\d+\s*%"),
    UV: _words(r"uv", r"ultraviolet", r"sunscreen", r"sun ?cream", r"spf", r"sunburn",
               r"sun protection"),
}


def gives(text: str, quantity: str) -> bool:
    """Whether ``text`` says anything about ``quantity`` (a figure or a word for it);
    ``conditions`` is given by any weather at all."""
    folded = fold(text)
    if quantity == TEMPERATURE and temperatures(text):
        return True
    if quantity == WIND and speeds(text):
        return True
    if quantity == CONDITIONS:
        return has_figures(text) or any(gives(text, q) for q in _GIVES)
    pattern = _GIVES.get(quantity)
    return bool(pattern and pattern.search(folded))


ACTIVITIES = _words(
    r"museums?", r"galler(?:y|ies)", r"walks?", r"walking", r"hikes?", r"hiking", r"tours?",
    r"visits?", r"visiting", r"parks?", r"caf(?:e|es)", r"coffee", r"markets?", r"beach(?:es)?",
    r"picnics?", r"cinemas?", r"movies?", r"theat(?:re|er|res|ers)", r"spas?", r"restaurants?",
    r"shop(?:s|ping)?", r"bike", r"biking", r"cycl(?:e|ing)", r"bike ride", r"run", r"jog(?:ging)?",
    r"running", r"swim(?:ming)?", r"kayak(?:ing)?", r"paddl(?:e|ing)", r"climb(?:ing)?",
    r"library", r"aquarium", r"zoo", r"sightsee(?:ing)?", r"bars?", r"pubs?", r"concerts?",
    r"food", r"eat", r"lunch", r"dinner", r"brunch", r"breakfast", r"skat(?:e|ing)",
    r"ski(?:ing)?", r"sledg(?:e|ing)", r"stroll", r"explore", r"exploring", r"gardens?",
    r"castles?", r"temples?", r"shrines?", r"baths?", r"cooking", r"class(?:es)?", r"games?",
    r"escape room", r"bowling", r"planetarium", r"cable car", r"viewpoints?", r"stargaz(?:e|ing)",
    r"boat(?: ride| trip| tour)?", r"cruise", r"surf(?:ing)?", r"golf", r"tennis", r"yoga",
    r"day trip", r"excursion", r"drive", r"scenic", r"sunbath(?:e|ing)", r"terrace",
    r"rooftop", r"waterfront", r"promenade", r"old town", r"neighbo(?:u)?rhood", r"landmarks?",
    r"monuments?", r"cathedral", r"church", r"palace", r"bookshop", r"mall",
    r"stay in", r"head out", r"go out", r"trips?", r"head (?:to|over)",
    r"go to", r"take the (?:train|bus|ferry|tram|metro|subway|cable car)", compounds=True)
"""Words that suggest something to do (the demo planner's suggestions among them)."""
OUTDOOR = _words(r"beach(?:es)?", r"picnics?", r"hikes?", r"hiking", r"outdoors?",
                 r"parks?", r"kayak(?:ing)?", r"paddl(?:e|ing)", r"swim(?:ming)?", r"bike",
                 r"biking", r"cycl(?:e|ing)", r"sunbath(?:e|ing)", r"terrace", r"rooftop",
                 r"stroll", r"walks?", r"walking", r"surf(?:ing)?", r"golf", r"boat(?:ing)?",
                 compounds=True)
INDOOR = _words(r"indoors?", r"inside", r"museums?", r"galler(?:y|ies)", r"cinemas?",
                r"theat(?:re|er|res|ers)", r"spas?", r"library", r"aquarium", r"caf(?:e|es)",
                r"mall", r"shopping", r"restaurants?", r"covered", r"umbrella",
                r"stay (?:in|dry)", r"cooking class", r"bowling", r"escape room",
                r"science cent(?:re|er)", r"planetarium", r"climbing gym", r"bookshop",
                r"rain (?:jacket|coat|gear)", r"raincoat", r"waterproofs?", r"shelter",
                compounds=True)
_DISCOURAGED = re.compile(r"\b(?:not|no|avoid|skip|postpone|cancel|reschedule|instead of|"
                          r"rather than|wouldn't|don't|won't|shouldn't|isn't|too (?:wet|rainy|"
                          r"stormy|cold|windy|snowy)|unsafe|dangerous|save)\b")
"""Wording that advises against what it names ("skip the beach")."""


def outdoor_advised(text: str) -> bool:
    """Whether a sentence of the text recommends an outdoor activity (not one it advises
    against)."""
    return any(OUTDOOR.search(fold(s)) and not _DISCOURAGED.search(fold(s))
               for s in sentences(text))


COMPARES = _words(
    r"warmer", r"colder", r"cooler", r"hotter", r"wetter", r"drier", r"dryer", r"rainier",
    r"windier", r"sunnier", r"milder", r"nicer", r"better", r"worse", r"more", r"less",
    r"than", r"both", r"whereas", r"while", r"compared", r"comparison", r"similar", r"same",
    r"higher", r"lower", r"warmest", r"coldest", r"wettest", r"driest", r"sunniest",
    r"windiest", r"best", r"winner", r"edge", r"beats?", r"difference", r"unlike",
    r"either", r"neither", r"by contrast", r"on the other hand", r"go with", r"pick",
    r"choose", r"prefer(?:able)?")
DECIDES = _words(
    r"yes", r"no", r"nope", r"yep", r"not", r"good", r"great", r"ideal", r"fine", r"okay",
    r"ok", r"suitable", r"perfect", r"safe", r"unsafe", r"risky", r"recommend(?:ed)?",
    r"should", r"shouldn't", r"worth", r"go for it", r"go ahead", r"avoid", r"skip", r"i'd",
    r"i would", r"bring", r"take", r"pack", r"wear", r"need", r"needed", r"leave", r"stay",
    r"better", r"best", r"definitely", r"absolutely", r"sure", r"probably", r"enough",
    r"postpone", r"reschedule", r"wait", r"advisable", r"wise", r"bad idea", r"don't",
    r"won't", r"can", r"cannot", r"can't", r"plenty", r"fine to", r"go")
"""Wording that settles a yes/no question (broad: rule 7 is for answers that give none)."""
ASKS_BACK = re.compile(r"\?\s*$|\bplease (?:provide|specify|tell|let me know|confirm|share)\b|"
                       r"\bwhich (?:city|place|location|town|area)\b|\bcould you (?:tell|provide|"
                       r"specify|let|share|confirm)\b|\bwhere are you\b|\bwhat (?:city|location|"
                       r"town|place)\b|\bcan you (?:tell|provide|specify|share|confirm)\b")


def asks_back(text: str) -> bool:
    """Whether the answer asks the person something."""
    return ASKS_BACK.search(fold(text)) is not None


def gives_weather(text: str) -> bool:
    """Whether the answer states weather (a figure or conditions) or suggests something to
    do: it answers, whatever else it says ("the temperature unit?" states nothing)."""
    return (has_figures(text) or bool(conditions_in(text))
            or bool(ACTIVITIES.search(fold(text))))
