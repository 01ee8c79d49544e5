"""Mirror the prompt files into Phoenix's prompt store, one tag per version.

Each file becomes a version of the Phoenix prompt ``judge-helpfulness`` tagged with its
version name (``v1``, ``v2``, ...). Pushing is idempotent: when the text of the version that
currently carries the tag equals the file, nothing is created and that version's id is
returned; otherwise a new version is created and the tag moves to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evaluators.chat import TEMPERATURE
from evaluators.judge import MAX_TOKENS
from evaluators.prompt_files import PromptFile

if TYPE_CHECKING:
    from phoenix.client.types import PromptVersion

    from pipeline.phoenix.connection import Phoenix

PROMPT_NAME = "judge-helpfulness"
PROMPT_DESCRIPTION = ("LLM-as-a-judge: is the weather agent's answer helpful? Versions are "
                      "mirrored from the prompt files (vN.txt) by judge-align.")


@dataclass(frozen=True)
class StoredPrompt:
    """Where a prompt file lives in Phoenix."""

    version: str
    version_id: str
    created: bool
    prompt_id: str | None = None
    """The Phoenix prompt's own id (its UI page is addressed by it, not by its name)."""


def _message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}, ...]
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def tagged_version(phoenix: Phoenix, version: str, prompt_name: str = PROMPT_NAME
                   ) -> PromptVersion | None:
    """The stored version that carries the tag ``version``, or None when there is none."""
    try:
        return phoenix.client.prompts.get(prompt_identifier=prompt_name, tag=version)
    except ValueError:  # the client's way of saying 404: no such prompt or tag
        return None


def template_text(stored: PromptVersion) -> str:
    """The text of a stored version's messages (its dumped form is what the REST API sent)."""
    messages = stored._dumps()["template"].get("messages", [])
    return "".join(_message_text(m.get("content")) for m in messages)


def prompt_id(phoenix: Phoenix, prompt_name: str) -> str | None:
    """The id of the prompt called ``prompt_name`` (REST lists prompts page by page)."""
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        response = phoenix.rest.get("/v1/prompts", params=params)
        response.raise_for_status()
        body = response.json()
        for prompt in body["data"]:
            if prompt["name"] == prompt_name:
                return str(prompt["id"])
        cursor = body.get("next_cursor")
        if not cursor:
            return None


def push_prompt(phoenix: Phoenix, prompt: PromptFile, *, model_name: str,
                prompt_name: str = PROMPT_NAME) -> StoredPrompt:
    """Make the version tagged ``prompt.version`` hold the file's text; return its id."""
    from phoenix.client.types import PromptVersion

    current = tagged_version(phoenix, prompt.version, prompt_name)
    if current is not None and template_text(current) == prompt.template:
        return StoredPrompt(prompt.version, str(current.id), created=False,
                            prompt_id=prompt_id(phoenix, prompt_name))
    version = PromptVersion.from_openai(
        {"model": model_name, "messages": [{"role": "user", "content": prompt.template}],
         "temperature": TEMPERATURE, "max_tokens": MAX_TOKENS},
        description=prompt.description or None,
    )
    created = phoenix.client.prompts.create(name=prompt_name, version=version,
                                    prompt_description=PROMPT_DESCRIPTION)
    phoenix.client.prompts.tags.create(prompt_version_id=str(created.id), name=prompt.version,
                               description=prompt.description or None)
    return StoredPrompt(prompt.version, str(created.id), created=True,
                        prompt_id=prompt_id(phoenix, prompt_name))


def push_prompts(phoenix: Phoenix, prompts: Iterable[PromptFile], *, model_name: str,
                 prompt_name: str = PROMPT_NAME) -> list[StoredPrompt]:
    """:func:`push_prompt` for each file, in order."""
    return [push_prompt(phoenix, p, model_name=model_name, prompt_name=prompt_name)
            for p in prompts]
