"""Invented weather rows for the checks' tests: questions in varied phrasings (lower case, no
preposition, greetings, regions and landmarks, units asked or not), answers in other
assistants' styles, and tool records shaped as the pipeline records the demo agent's calls.
Written for these tests from the rubric alone, not taken from any labeled set; each carries
the label a person gives it by ``docs/rubric.md`` (and, when not_helpful, the rule)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evaluators.checks.perturb import Case
from evaluators.evidence import ToolCall
from evaluators.labels import HELPFUL, NOT_HELPFUL


def weather(city: str, country: str, conditions: str, temperature: float, *,
            feels_like: float | None = None, low: float | None = None,
            high: float | None = None, unit: str = "°C", wind: float = 10.0,
            wind_unit: str = "km/h", humidity: int = 60, rain: int = 10,
            day: str = "2026-12-01") -> dict[str, Any]:
    """A weather block as the demo's tools return it."""
    return {"location": f"{city}, {country}", "date": day, "conditions": conditions,
            "temperature": temperature,
            "feels_like": temperature if feels_like is None else feels_like,
            "low": temperature - 3 if low is None else low,
            "high": temperature + 2 if high is None else high, "temperature_unit": unit,
            "humidity_percent": humidity, "wind_speed": wind, "wind_gust": round(wind * 1.6, 1),
            "wind_unit": wind_unit, "precipitation_chance_percent": rain}


def get_weather(city: str, country: str, conditions: str, temperature: float,
                **more: Any) -> ToolCall:
    unit = "fahrenheit" if more.get("unit") == "°F" else "celsius"
    return ToolCall("get_weather", {"location": city, "unit": unit},
                    weather(city, country, conditions, temperature, **more))


def plan_activities(city: str, country: str, conditions: str, temperature: float,
                    indoor: tuple[str, ...] = ("Museum or art gallery",), **more: Any
                    ) -> ToolCall:
    block = weather(city, country, conditions, temperature, **more)
    periods = [{"period": period, "hours": hours, "conditions": conditions,
                "temperature": temperature + shift, "outdoor": "rain" not in conditions.lower()}
               for period, hours, shift in (("morning", "08:00-11:00", -2),
                                            ("afternoon", "13:00-17:00", 1),
                                            ("evening", "18:00-21:00", -1))]
    return ToolCall("plan_activities", {"location": city},
                    {"weather": block, "setting": "city", "plan": periods,
                     "indoor_alternatives": list(indoor)})


def analyze_weather(city: str, country: str, conditions: str, temperature: float, *,
                    uv: int = 3, **more: Any) -> ToolCall:
    block = weather(city, country, conditions, temperature, **more)
    return ToolCall("analyze_weather", {"location": city},
                    {"weather": block, "uv_index": uv, "comfort": "mild",
                     "best_outdoor_window": "afternoon (13:00-17:00)"})


UNKNOWN = ToolCall("get_weather", {"location": "Atlantis"},
                   error="no weather data for 'Atlantis': it is not a city this service covers")


@dataclass(frozen=True)
class Example:
    """An invented row and the label a person gives it (with the rule when not_helpful)."""

    id: str
    question: str
    answer: str
    tools: tuple[ToolCall, ...] | None
    label: str = HELPFUL
    rule: int | None = None

    @property
    def case(self) -> Case:
        return Case(self.question, self.answer, self.tools, self.id)


EXAMPLES = (
    Example("lyon-today", "What's the weather in Lyon today?",
            "Lyon today: light rain and 7°C (feels like 4°C), with a high of 9°C. Bring an "
            "umbrella if you head out.",
            (get_weather("Lyon", "France", "Light rain", 7.0, feels_like=4.0, high=9.0),)),
    Example("chicago-wind", "How windy is it in Chicago right now?",
            "It's pretty breezy in Chicago: winds around 24 km/h with gusts up to 38 km/h. "
            "The temperature is 3°C under overcast skies.",
            (get_weather("Chicago", "United States", "Overcast", 3.0, wind=24.0),)),
    Example("seattle-rain", "Will it rain in Seattle tomorrow?",
            "Yes, expect moderate rain in Seattle tomorrow, about an 80% chance, with "
            "temperatures between 6°C and 10°C. A waterproof jacket is a good idea.",
            (get_weather("Seattle", "United States", "Moderate rain", 8.0, low=6.0, high=10.0,
                         rain=80, day="2026-12-02"),)),
    Example("phoenix-fahrenheit", "What's the temperature in Phoenix in Fahrenheit?",
            "It's 78°F in Phoenix right now (feels like 76°F) under clear skies. Tonight it "
            "drops to about 55°F.",
            (get_weather("Phoenix", "United States", "Clear sky", 78.0, feels_like=76.0,
                         low=55.0, high=82.0, unit="°F", wind_unit="mph"),)),
    Example("madrid-lisbon", "Is it warmer in Madrid or Lisbon this afternoon?",
            "Madrid is warmer: 19°C and sunny, while Lisbon sits at 16°C with some clouds.",
            (get_weather("Madrid", "Spain", "Clear sky", 19.0),
             get_weather("Lisbon", "Portugal", "Partly cloudy", 16.0))),
    Example("london-rainy-saturday", "Plan a rainy Saturday in London for me.",
            "Since it'll be raining in London on Saturday (around 11°C), here's an indoor day. "
            "Start at the British Museum in the morning, have lunch in Covent Garden's covered "
            "market, then catch a matinee in the West End. Finish with dinner at a cosy pub "
            "in Soho.",
            (plan_activities("London", "United Kingdom", "Moderate rain", 11.0, rain=90,
                             day="2026-12-05"),)),
    Example("banff-hiking", "Should I go hiking near Banff tomorrow?",
            "I'd hold off: Banff gets heavy snow tomorrow with a high of -8°C and gusty winds, "
            "so the trails will be icy. The Banff Upper Hot Springs or the Whyte Museum are "
            "better bets.",
            (get_weather("Banff", "Canada", "Heavy snow", -10.0, low=-14.0, high=-8.0,
                         wind=30.0, rain=90, day="2026-12-02"),)),
    Example("tokyo-lowercase", "tokyo weather this afternoon?",
            "Tokyo this afternoon: partly cloudy, around 14°C, with a light breeze. Nice for a "
            "walk in Ueno Park.",
            (get_weather("Tokyo", "Japan", "Partly cloudy", 12.0, high=14.0),)),
    Example("singapore-humid", "How humid is it in Singapore today?",
            "Very humid: humidity is at 85% in Singapore today, with 31°C and a chance of "
            "thunderstorms later in the afternoon.",
            (get_weather("Singapore", "Singapore", "Partly cloudy", 31.0, humidity=85),)),
    Example("oslo-can-you", "Can you tell me the weather in Oslo?",
            "Oslo is cold today: -3°C with light snow and a north wind of 15 km/h. Dress "
            "warmly!",
            (get_weather("Oslo", "Norway", "Light snow", -3.0, wind=15.0),)),
    Example("sydney-uv", "What's the UV index in Sydney today?",
            "The UV index in Sydney today is 11, which is extreme, so wear sunscreen and a "
            "hat. It's sunny and 29°C.",
            (analyze_weather("Sydney", "Australia", "Clear sky", 29.0, uv=11),)),
    Example("paris-berlin", "Compare the weather in Paris and Berlin for tomorrow.",
            "Tomorrow Paris will be milder at 12°C with light showers, while Berlin is colder "
            "at 5°C but dry and overcast.",
            (get_weather("Paris", "France", "Light showers", 12.0, day="2026-12-02"),
             get_weather("Berlin", "Germany", "Overcast", 5.0, day="2026-12-02"))),
    Example("nyc-alias", "weather in nyc?",
            "New York City right now: 8°C and overcast, with a wind of 12 km/h.",
            (get_weather("New York", "United States", "Overcast", 8.0, wind=12.0),)),
    Example("kyoto-sunday", "I'm visiting Kyoto on Sunday - what should I do if it's sunny?",
            "Sunday in Kyoto looks sunny with a high of 18°C: perfect for walking the "
            "Philosopher's Path in the morning, visiting Kinkaku-ji after lunch and strolling "
            "through Gion in the evening.",
            (plan_activities("Kyoto", "Japan", "Clear sky", 16.0, high=18.0,
                             day="2026-12-06"),)),
    Example("central-park-picnic", "Is it a good day for a picnic in Central Park?",
            "Yes! It's sunny and 22°C in New York today with a light breeze: great picnic "
            "weather in Central Park.",
            (get_weather("New York", "United States", "Clear sky", 22.0),)),
    Example("dublin-umbrella", "Do I need an umbrella in Dublin today?",
            "Yes, bring one: Dublin has showers on and off all day, and it's 10°C.",
            (get_weather("Dublin", "Ireland", "Showers", 10.0, rain=70),)),
    Example("no-place", "What's the weather like?",
            "Happy to help! Which city would you like the weather for?", ()),
    Example("atlantis", "Weather for Atlantis tomorrow?",
            "I couldn't find Atlantis in the weather service. Did you mean Atlanta? I can check "
            "that instead.", (UNKNOWN,)),
    Example("denver-analysis",
            "Give me a detailed analysis of today's weather in Denver, in °F please.",
            "Denver today: light snow, 32°F now (feels like 25°F), with a low of 23°F and a "
            "high of 35°F. Winds are light, around 9 mph, and the precipitation chance is 85%. "
            "The best window to be outside is the early afternoon.",
            (analyze_weather("Denver", "United States", "Light snow", 32.0, feels_like=25.0,
                             low=23.0, high=35.0, unit="°F", wind=9.0, wind_unit="mph",
                             rain=85),)),
    Example("cape-town-hey", "Hey, what's it like in Cape Town this morning?",
            "Cape Town this morning is sunny and mild at 18°C, with a strong south-easter: "
            "winds of about 35 km/h.",
            (get_weather("Cape Town", "South Africa", "Clear sky", 18.0, wind=35.0),)),
    Example("toronto-montreal", "Toronto or Montreal this weekend - which will be nicer?",
            "Toronto looks nicer this weekend: partly cloudy and 6°C, while Montreal gets "
            "light snow at -1°C.",
            (get_weather("Toronto", "Canada", "Partly cloudy", 6.0, day="2026-12-05"),
             get_weather("Montreal", "Canada", "Light snow", -1.0, day="2026-12-05"))),
    Example("reykjavik-tonight", "How cold will it get tonight in Reykjavik?",
            "It'll drop to about -4°C tonight in Reykjavik, with clear skies: a good chance "
            "to see the northern lights.",
            (get_weather("Reykjavik", "Iceland", "Clear sky", 1.0, low=-4.0),)),
    Example("wellington-mph", "What's the wind like in Wellington, in mph?",
            "Wellington is windy today: sustained winds around 28 mph with gusts to 45 mph, "
            "14°C and cloudy.",
            (get_weather("Wellington", "New Zealand", "Overcast", 14.0, wind=28.0,
                         wind_unit="mph"),)),
    Example("paris-terse-no-record", "paris tomorrow - rain?",
            "Light rain likely in Paris tomorrow, about a 60% chance, with highs near 11 °C.",
            None),
    Example("amsterdam-bike", "Hi, should I bike to work in Amsterdam today?",
            "Sure, it's dry and 9°C in Amsterdam today with a light 10 km/h breeze, so a bike "
            "ride is fine.",
            (get_weather("Amsterdam", "Netherlands", "Partly cloudy", 9.0),)),
    Example("boston-wrong-unit", "What's the temperature in Boston in Fahrenheit?",
            "Boston is at 4°C right now with light rain.",
            (get_weather("Boston", "United States", "Light rain", 4.0),), NOT_HELPFUL, 1),
    Example("rome-no-plan", "Plan my day in Rome.", "Rome is 17°C and sunny today.",
            (plan_activities("Rome", "Italy", "Clear sky", 17.0),), NOT_HELPFUL, 7),
    Example("miami-orlando", "Compare Miami and Orlando today.", "Miami: 27°C and sunny.",
            (get_weather("Miami", "United States", "Clear sky", 27.0),
             get_weather("Orlando", "United States", "Clear sky", 26.0)), NOT_HELPFUL, 3),
    Example("gotham-refusal", "Plan my day in Gotham City.",
            "I'm sorry, but I can't assist with that.", None, NOT_HELPFUL, 4),
)
"""29 invented rows, 25 helpful."""
