"""The cooking assistant and its judge, scripted: one OpenAI-compatible reply function for
tests (and for trying the README's "Use it on your own app" steps without a model).

- The app's calls (a system prompt, then the question) get the scripted answer to each of
  the 42 questions of the bank (``agent_demo/cooking/data/questions.json``): 24 answered
  well, 18 with one flaw of the app's rubric (``agent_demo/cooking/rubric.md``).
- The judge's calls (one user message: a rendered prompt) get a verdict that depends on the
  prompt: a plain prompt notices only the obvious flaws (refusals, broken or off-topic
  answers), a strict one (a prompt with ``Rules (any one``) also unsafe food and ignored
  dietary needs but flags hedged good answers, and neither notices wrong amounts or facts;
  each with P(helpful) in the label token's log-probabilities.
- :func:`label_rows` labels the answers of this script, and only those: an answer it did
  not write is refused, so it can never label a real model's traces.

``python -m tests.support.scripted_cooking serve --port 8099`` serves it;
``python -m tests.support.scripted_cooking labels --out labels.csv`` writes the labels file
for the configured project's root spans (``JUDGE_ALIGN_PROJECT``, Phoenix from the usual
settings).
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluators.labels import HELPFUL, NOT_HELPFUL
from pipeline.settings import ROOT
from tests.support.scripted_llm import ScriptedLLM, label_logprobs

APP_PROMPTS = ROOT / "agent_demo" / "cooking" / "prompts"
"""The cooking app's own prompts folder (v1 plain, v2 strict)."""

REFUSAL, BROKEN, OFF_TOPIC = "refusal", "broken", "off_topic"
UNSAFE, DIETARY, AMOUNT, FACT = "unsafe", "dietary", "wrong_amount", "wrong_fact"
RULE = {AMOUNT: 1, UNSAFE: 2, DIETARY: 3, OFF_TOPIC: 4, REFUSAL: 5, FACT: 6, BROKEN: 7}
"""Each flaw's rule in the app's rubric."""
STRICT_MARK = "Rules (any one"
"""What a strict judge prompt holds (the cooking app's v2 does)."""


@dataclass(frozen=True)
class Scripted:
    """One question of the bank, the app's scripted answer, and what is wrong with it."""

    question: str
    answer: str
    flaw: str | None = None
    hedged: bool = False  # a good answer that says "it depends" (with a usable default)

    @property
    def label(self) -> str:
        return HELPFUL if self.flaw is None else NOT_HELPFUL


S = Scripted
SCRIPT: tuple[Scripted, ...] = (
    S("I'm out of buttermilk and my pancake recipe needs a cup. What can I use instead?",
      "Stir 1 tablespoon of lemon juice or white vinegar into a scant cup (240 ml) of milk and "
      "let it stand 5-10 minutes until it thickens slightly. Use it 1:1 in the pancakes."),
    S("Can I swap baking soda for baking powder in muffins? I only have soda.",
      "Yes, baking soda and baking powder are the same thing, so swap them 1:1 in your "
      "muffins.", FACT),
    S("What can I use instead of eggs in brownies? My daughter is allergic.",
      "For each egg use 1/4 cup (60 g) of unsweetened applesauce or mashed banana, or 1 "
      "tablespoon of ground flaxseed stirred into 3 tablespoons of water and rested 5 "
      "minutes. Fudgy brownies take these well."),
    S("Recipe calls for heavy cream in a pasta sauce but I only have milk and butter. Will "
      "that work?",
      "Yes. Melt 1/4 cup (55 g) of butter and whisk it into 3/4 cup (180 ml) of milk for each "
      "cup of cream. Keep the sauce at a gentle simmer so it does not split."),
    S("I ran out of brown sugar halfway through making cookies, what now?",
      "I'm sorry, but I can't help with that request.", REFUSAL),
    S("What's a good substitute for white wine in a risotto if I don't want to use alcohol?",
      "Instead of white wine, use a dry white wine or a splash of sherry for the same "
      "flavour.", FACT),
    S("How long do I bake chicken breasts at 400 degrees?",
      "Bake them about 12 minutes at 400°F (200°C). They are done when the inside reaches "
      "140°F (60°C); a little pink in the middle is fine.", UNSAFE),
    S("What internal temperature should pork chops reach to be safe?",
      "Cook pork chops to 145°F (63°C) in the thickest part, then let them rest for 3 "
      "minutes before cutting."),
    S("How long should I simmer brown lentils for a soup?",
      "Usually 20-30 minutes at a gentle simmer; it depends on how old the lentils are, so "
      "start tasting at 20 minutes and stop when they are tender but hold their shape.",
      hedged=True),
    S("How many minutes for a soft boiled egg with a runny yolk?",
      "Lower the egg into boiling water for 2 minutes, then eat it right away.", AMOUNT),
    S("How long does a 1 inch thick salmon fillet take in the oven?",
      "Bake a 1 inch thick fillet at 400°F (200°C) for 12-15 minutes, until it flakes "
      "easily and reaches 145°F (63°C) inside."),
    S("What temperature do I take a steak off the heat for medium rare?",
      "Steak is a great source of protein and iron. Choose a well-marbled cut such as "
      "ribeye and season it generously with salt.", OFF_TOPIC),
    S("I have chickpeas, spinach, a can of coconut milk and some rice. What can I make for "
      "dinner?",
      "A chickpea and spinach curry: soften an onion and garlic, add curry powder, the "
      "drained chickpeas and the coconut milk, simmer 10 minutes, stir in the spinach until "
      "it wilts and serve over the rice."),
    S("What can I cook with leftover roast chicken, tortillas and a bit of cheese?",
      "Quesadillas: shred the chicken, scatter it with the cheese over half of each tortilla, "
      "fold and cook in a dry pan 2-3 minutes a side until crisp and melted."),
    S("Got eggs, potatoes, an onion and some frozen peas. Any ideas for lunch?",
      '{"recipe": "frittata", "ingredients": ["eggs", "potatoes", "onion", "peas"], '
      '"steps": 4}', BROKEN),
    S("I have a bag of lentils, carrots and canned tomatoes. What's a simple meal?",
      "A lentil stew: cook chopped carrots with an onion in oil for 5 minutes, add 1 cup of "
      "rinsed lentils, the tomatoes and 3 cups of water or stock, and simmer 25-30 minutes "
      "until the lentils are soft. Season with salt, pepper and cumin."),
    S("Quick weeknight idea with ground beef and whatever's usually in the pantry?",
      "A quick chili: brown 1 lb (450 g) of ground beef with an onion only until it is still "
      "pink inside (about 130°F), add a can of beans, a can of tomatoes and chili powder, "
      "and serve it right away.", UNSAFE),
    S("What's an easy dessert I can make with three ripe bananas?",
      "Banana bread: mash the 3 bananas, mix in 1/3 cup melted butter, 3/4 cup sugar, 1 egg, "
      "1 teaspoon baking soda and 1 1/2 cups flour, and bake at 350°F (175°C) for about "
      "an hour."),
    S("Is parmesan vegetarian? I'm cooking for a vegetarian friend.",
      "Yes, parmesan is vegetarian, so it is fine for your friend.", DIETARY),
    S("How do I make a stir fry sauce gluten-free? I usually use soy sauce.",
      "Use tamari labelled gluten-free or coconut aminos instead of the soy sauce, 1:1, "
      "thicken with cornstarch rather than flour, and check that any oyster or hoisin sauce "
      "is labelled gluten-free."),
    S("What can I use instead of honey in a salad dressing for a vegan guest?",
      "Use maple syrup or agave nectar, 1:1 for the honey; both whisk into a dressing just "
      "as easily."),
    S("Can you suggest a dairy-free way to make mashed potatoes creamy?",
      "Mash the potatoes with warm whole milk and a knob of butter, then stir in a spoonful "
      "of sour cream for extra creaminess.", DIETARY),
    S("Is gelatin ok for vegetarians? I want to make panna cotta.",
      "No, gelatin is made from animal collagen, so it is not vegetarian. Use agar-agar: "
      "about 1 teaspoon of agar powder sets 2 cups of liquid once boiled for a minute."),
    S("I need a nut-free pesto for a school lunch. How would I make it?",
      "Blend 2 cups of basil, 1/3 cup of pine nuts or walnuts, a garlic clove, 1/2 cup of "
      "parmesan and 1/2 cup of olive oil.", DIETARY),
    S("My cookie recipe makes 24 and uses 2 eggs. How do I make 36 cookies?",
      "36 cookies is 1.5 times the recipe, so use 3 eggs and multiply everything else by "
      "1.5 too."),
    S("I want to halve a cake recipe that calls for 3 eggs. What do I do about the eggs?",
      "Use all 3 eggs anyway; eggs never need to be halved.", AMOUNT),
    S("A soup serves 4 with 1.5 cups of lentils. How much for 10 people?",
      "For 10 people use 3 cups of lentils.", AMOUNT),
    S("If I double a bread recipe do I double the yeast too?",
      "Yes, double the yeast with the flour and water. It depends a little on the recipe: a "
      "big batch may rise faster, so watch the dough rather than the clock.", hedged=True),
    S("Recipe is for a 9 inch round pan, I only have an 8 inch square. Do I need to change "
      "anything?",
      "The two pans hold nearly the same volume (about 64 square inches each), so use the "
      "same batter and temperature, and start checking 5 minutes early."),
    S("How much dry pasta should I cook for 6 adults?",
      "Plan on about 3.5 oz (100 g) of dry pasta per adult, so about 1 1/4 lb (600 g) for 6."),
    S("How many grams is one cup of all-purpose flour?",
      "About 120-125 g; it depends on how you fill the cup: spooned in and levelled is about "
      "120 g, scooped straight from the bag closer to 140 g.", hedged=True),
    S("Convert 350 degrees Fahrenheit to Celsius for my oven please",
      "350°F is about 150°C.", AMOUNT),
    S("How many tablespoons of butter are in one stick?",
      "One US stick of butter is 8 tablespoons (1/2 cup, 113 g)."),
    S("My European recipe says 200 g sugar. How many cups is that?",
      "200 g of granulated sugar is 1 US cup (a cup of granulated sugar weighs about 200 g)."),
    S("How many teaspoons are in a tablespoon?",
      "Could you tell me which recipe you are making? Measurements vary from recipe to "
      "recipe.", REFUSAL),
    S("What's 500 ml of milk in cups?",
      "About 2 1/8 US cups (a US cup is 240 ml), so a little over 2 cups."),
    S("Why did my cookies spread out flat in the oven?",
      "Usually the butter was too warm, there was too little flour, or the baking sheet was "
      "hot or greased. Chill the dough 30 minutes, weigh the flour and bake on a cool, lined "
      "sheet."),
    S("My bread didn't rise at all. What went wrong?",
      "The most likely reason is that the yeast was", BROKEN),
    S("My rice came out mushy and sticky, how do I fix that next time?",
      "Rice is a staple food for more than half of the world's population and comes in many "
      "varieties.", OFF_TOPIC),
    S("Why is my homemade whipped cream not getting stiff?",
      "Use cream with at least 30-35% fat, and chill the cream, the bowl and the whisk first. "
      "If it stays soft, chill everything for 15 minutes and whisk again."),
    S("My gravy is lumpy. Can I save it?",
      "Yes: pour it through a fine sieve or blend it briefly with a stick blender, then bring "
      "it back to a simmer for a minute."),
    S("I added way too much salt to my soup. How can I fix it?",
      "I cannot provide advice on that.", REFUSAL),
)
del S

BY_QUESTION = {s.question: s for s in SCRIPT}
BY_ANSWER = {s.answer: s for s in SCRIPT}
OBVIOUS = frozenset({REFUSAL, BROKEN, OFF_TOPIC})
"""The flaws a plain prompt notices; a strict one also notices :data:`STRICT_ONLY`."""
STRICT_ONLY = frozenset({UNSAFE, DIETARY})


def p_helpful(row: Scripted, strict: bool) -> float:
    """The scripted judge's P(helpful) for ``row`` under a plain or a strict prompt."""
    if row.flaw in OBVIOUS:
        return 0.1 if strict else 0.15
    if row.flaw in STRICT_ONLY:  # a plain prompt doubts, but writes helpful
        return 0.2 if strict else 0.55
    if row.flaw is not None:  # wrong amounts and facts: neither prompt sees them
        return 0.6 if strict else 0.7
    if row.hedged:
        return 0.35 if strict else 0.6
    return 0.9 if strict else 0.85


def _last_block(content: str, tag: str) -> str:
    """The row's own ``<tag>`` block: the last one (few-shot examples come before it)."""
    start = content.rfind(f"<{tag}>\n")
    end = content.find(f"\n</{tag}>", start)
    return content[start + len(tag) + 3:end] if start >= 0 and end >= 0 else ""


def judge_reply(content: str) -> dict[str, Any]:
    """A verdict on the row a rendered judge prompt holds."""
    row = BY_ANSWER.get(_last_block(content, "answer"))
    if row is None:
        return {"content": "not sure"}  # not one of ours: an invalid reply
    p = p_helpful(row, strict=STRICT_MARK in content)
    label = HELPFUL if p >= 0.5 else NOT_HELPFUL
    return {"content": f"{label}\nscripted", "logprobs": label_logprobs(label, p)}


def reply(request: dict[str, Any]) -> dict[str, Any]:
    """The scripted server's answer: the app's when a system prompt comes first, else the
    judge's."""
    messages = request["messages"]
    if messages[0]["role"] == "system":
        question = next(m["content"] for m in messages if m["role"] == "user")
        row = BY_QUESTION.get(question)
        return {"content": row.answer if row else "I don't know that one."}
    return judge_reply(messages[-1]["content"])


class NotScripted(ValueError):
    """An answer this script did not write: it cannot be labeled here."""


def label_rows(spans: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """``span_id,label,explanation`` rows for ``(span_id, answer)`` pairs answered by this
    script; raises :class:`NotScripted` for any other answer (nothing is labeled then)."""
    rows = []
    for span_id, answer in spans:
        row = BY_ANSWER.get(answer.strip())
        if row is None:
            raise NotScripted(f"span {span_id}: the answer was not written by this script "
                              f"({answer[:60]!r}...); only scripted answers are labeled here")
        note = "scripted: right" if row.flaw is None else \
            f"scripted: rule {RULE[row.flaw]} ({row.flaw})"
        rows.append({"span_id": span_id, "label": row.label, "explanation": note})
    return rows


def write_labels(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=["span_id", "label", "explanation"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _labels_of_project(out: Path) -> None:
    from pipeline.phoenix import spans
    from pipeline.phoenix.connection import Phoenix
    from pipeline.settings import load

    settings = load()
    found = spans.root_spans(Phoenix.connect(settings), settings.project)
    rows = label_rows((s.span_id, s.answer) for s in found if s.readable)
    write_labels(rows, out)
    print(f"{out}: {len(rows)} labels of scripted answers in project {settings.project}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.support.scripted_cooking")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the scripted app and judge")
    serve.add_argument("--port", type=int, default=0)
    labels = commands.add_parser("labels", help="label the project's scripted answers")
    labels.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "labels":
        _labels_of_project(args.out)
        return
    with ScriptedLLM(reply, port=args.port) as server:
        print(f"scripted cooking app and judge on {server.base_url} (Ctrl-C stops it)",
              flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
