"""One GGUF model behind a lock: chat-template rendering and generation with logprobs.

Runs in the ``.venvs/llm`` environment (llama-cpp-python). Design choices, measured on the
2-core machine (see bench/bench_local_llm.py):

- ``logits_all=False``: keeping every prompt token's logits cost about 0.9 GB more memory and
  slowed prompt evaluation. Logprobs are computed only for generated tokens, from the logits
  the sampler has just used, so a request with ``logprobs`` costs about the same as one without.
- llama.cpp keeps the previous prompt's KV cache; ``Llama.generate`` reuses the longest common
  token prefix with it, so a judge prompt with a fixed instruction prefix only evaluates the
  part that differs. ``Generation.cached_tokens`` reports how many prompt tokens were reused.
- :meth:`Engine.generate` takes a ``cancelled`` callable, checked before the prompt is
  evaluated and between generated tokens: the server passes "has the client gone away?", so
  an abandoned request stops within one token (a prompt evaluation already under way runs to
  its end).
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import llama_cpp
import numpy as np
from jinja2.sandbox import ImmutableSandboxedEnvironment
from llama_cpp import Llama, LlamaGrammar
from llama_cpp.llama_grammar import JSON_GBNF, json_schema_to_gbnf

from local_llm.errors import Cancelled, ContextOverflow, PromptError

# ChatML, for a GGUF file that carries no chat template.
CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
TOOLS_PREAMBLE = (
    "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n{}\n"
    "</tools>\n\nFor each function call, return a json object with function name and arguments "
    'within <tool_call></tool_call> XML tags:\n<tool_call>\n{{"name": <function-name>, '
    '"arguments": <args-json-object>}}\n</tool_call>'
)


@dataclass
class Generation:
    """What one call to :meth:`Engine.generate` produced."""

    text: str
    finish_reason: str  # "stop" or "length"
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    seconds: float
    logprobs: list[dict[str, Any]] | None = field(default=None)


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _tojson(value: Any, ensure_ascii: bool = False, indent: int | None = None,
            separators: tuple[str, str] | None = None, sort_keys: bool = False) -> str:
    """``tojson`` as Hugging Face chat templates expect it (no HTML escaping)."""
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                      sort_keys=sort_keys)


def _raise(message: str) -> None:
    """The chat template's ``raise_exception``: the conversation is not one it can render."""
    raise PromptError(message)


class Engine:
    """A loaded model. :meth:`generate` is serialized: concurrent callers wait their turn."""

    def __init__(self, model_path: Path | str, n_ctx: int = 4096, n_threads: int | None = None):
        threads = n_threads or cpu_count()
        started = time.monotonic()
        self.llama = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=threads,
                           n_threads_batch=threads, logits_all=False, verbose=False)
        self.load_seconds = time.monotonic() - started
        self.n_ctx = n_ctx
        self.n_threads = threads
        self.lock = threading.Lock()
        source = self.llama.metadata.get("tokenizer.chat_template") or CHATML_TEMPLATE
        self.template_handles_tools = "tools" in source and "tool_call" in source
        environment = ImmutableSandboxedEnvironment(
            trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
        environment.filters["tojson"] = _tojson
        self.template = environment.from_string(source)
        self.bos_token = self._token_text(self.llama.token_bos())
        self.eos_token = self._token_text(self.llama.token_eos())

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self.llama._model.detokenize([token], special=True).decode("utf-8", "replace")

    # --- prompt ---------------------------------------------------------------------------

    def render(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> str:
        """The prompt text for ``messages`` (normalized: string contents, argument dicts)."""
        if tools and not self.template_handles_tools:
            messages = _with_tools_in_system(messages, tools)
            tools = None
        if not self.template_handles_tools:
            messages = _tool_turns_as_text(messages)
        return self.template.render(
            messages=messages, tools=tools or None, add_generation_prompt=True,
            bos_token=self.bos_token, eos_token=self.eos_token, raise_exception=_raise,
            strftime_now=lambda f: datetime.now().strftime(f),
        )

    def grammar(self, schema: dict[str, Any] | None) -> LlamaGrammar:
        """A grammar for JSON matching ``schema`` (None: any JSON object).

        The schema converter raises assorted exception types on schemas it cannot map."""
        if schema is None:
            return LlamaGrammar.from_string(JSON_GBNF, verbose=False)
        return LlamaGrammar.from_string(json_schema_to_gbnf(json.dumps(schema)), verbose=False)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenize(text))

    def _tokenize(self, text: str) -> list[int]:
        return self.llama.tokenize(text.encode("utf-8"), add_bos=self.llama._model.add_bos_token(),
                                   special=True)

    # --- generation -----------------------------------------------------------------------

    def generate(self, prompt: str, *, temperature: float = 1.0, top_p: float = 1.0,
                 max_tokens: int | None = None, stop: list[str] | None = None,
                 seed: int | None = None, grammar: LlamaGrammar | None = None,
                 top_logprobs: int | None = None,
                 cancelled: Callable[[], bool] | None = None) -> Generation:
        """Complete ``prompt``. ``top_logprobs`` None: no logprobs; 0..20: with them.

        Raises :class:`Cancelled` as soon as ``cancelled()`` is true: before the prompt is
        evaluated, or between two generated tokens."""
        tokens = self._tokenize(prompt)
        if len(tokens) >= self.n_ctx:
            raise ContextOverflow(
                f"This model's maximum context length is {self.n_ctx} tokens; the messages "
                f"resulted in {len(tokens)} tokens. Shorten the messages.")
        budget = self.n_ctx - len(tokens)
        limit = min(max_tokens, budget) if max_tokens else budget
        with self.lock:
            return self._generate(tokens, limit, temperature, top_p, stop or [], seed, grammar,
                                  top_logprobs, cancelled or _never)

    def _generate(self, tokens: list[int], limit: int, temperature: float, top_p: float,
                  stop: list[str], seed: int | None, grammar: LlamaGrammar | None,
                  top_logprobs: int | None, cancelled: Callable[[], bool]) -> Generation:
        if cancelled():
            raise Cancelled("the client went away before generation started")
        started = time.monotonic()
        cached = _common_prefix(self.llama._input_ids.tolist(), tokens)
        self.llama.set_seed(seed if seed is not None else random.getrandbits(32))
        vocab = self.llama._model.vocab
        output: list[int] = []
        logprobs: list[dict[str, Any]] | None = [] if top_logprobs is not None else None
        finish, text = "length", ""
        for token in self.llama.generate(tokens, temp=temperature, top_p=top_p, top_k=40,
                                         min_p=0.05, repeat_penalty=1.0, grammar=grammar):
            if cancelled():
                raise Cancelled(f"the client went away after {len(output)} tokens")
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                finish = "stop"
                break
            if logprobs is not None:
                logprobs.append(self._logprob_entry(token, top_logprobs or 0))
            output.append(token)
            text = self._detokenize(output)
            hit = _first_stop(text, stop)
            if hit is not None:
                text, finish = text[:hit], "stop"
                break
            if len(output) >= limit:
                break
        if logprobs is not None:
            logprobs = _trim_logprobs(logprobs, len(text))
        return Generation(text=text, finish_reason=finish, prompt_tokens=len(tokens),
                          completion_tokens=len(output), cached_tokens=cached,
                          seconds=time.monotonic() - started, logprobs=logprobs)

    def _detokenize(self, output: list[int]) -> str:
        return self.llama.detokenize(output, special=True).decode("utf-8", errors="ignore")

    def _logprob_entry(self, token: int, top: int) -> dict[str, Any]:
        """OpenAI's logprobs entry for ``token``, from the logits it was just sampled from."""
        pointer = self.llama._ctx.get_logits_ith(-1)
        logits = np.ctypeslib.as_array(pointer, shape=(self.llama.n_vocab(),))
        shifted = logits - logits.max()
        logprobs = shifted - np.log(np.exp(shifted).sum())
        best = np.argpartition(-logprobs, top)[:top] if top else np.array([], dtype=int)
        best = best[np.argsort(-logprobs[best])]
        return {**self._token_info(token, float(logprobs[token])),
                "top_logprobs": [self._token_info(int(i), float(logprobs[i])) for i in best]}

    def _token_info(self, token: int, logprob: float) -> dict[str, Any]:
        piece = self.llama._model.detokenize([token], special=True)
        return {"token": piece.decode("utf-8", errors="replace"), "logprob": logprob,
                "bytes": list(piece)}


def _never() -> bool:
    return False


def _common_prefix(a: list[int], b: list[int]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _first_stop(text: str, stop: list[str]) -> int | None:
    hits = [text.find(s) for s in stop if s and s in text]
    return min(hits) if hits else None


def _trim_logprobs(entries: list[dict[str, Any]], length: int) -> list[dict[str, Any]]:
    """Drop the entries of tokens cut off by a stop sequence."""
    kept, seen = [], 0
    for entry in entries:
        if seen >= length:
            break
        kept.append(entry)
        seen += len(bytes(entry["bytes"]).decode("utf-8", errors="ignore"))
    return kept


def _with_tools_in_system(messages: list[dict[str, Any]],
                          tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Describe ``tools`` in the system message, for templates that do not take ``tools``."""
    listing = "\n".join(_tojson(tool) for tool in tools)
    if messages and messages[0]["role"] == "system":
        first = {**messages[0], "content": messages[0]["content"] + TOOLS_PREAMBLE.format(listing)}
        return [first, *messages[1:]]
    system = {"role": "system", "content": TOOLS_PREAMBLE.format(listing).lstrip()}
    return [system, *messages]


def _tool_turns_as_text(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool calls and results as plain turns, for templates that only know user/assistant."""
    converted = []
    for message in messages:
        if message["role"] == "tool":
            result = f"<tool_response>\n{message['content']}\n</tool_response>"
            converted.append({"role": "user", "content": result})
        elif message["role"] == "assistant" and message.get("tool_calls"):
            calls = "\n".join(
                "<tool_call>\n" + _tojson({"name": c["function"]["name"],
                                           "arguments": c["function"]["arguments"]})
                + "\n</tool_call>" for c in message["tool_calls"])
            converted.append({"role": "assistant",
                              "content": "\n".join(filter(None, [message["content"], calls]))})
        else:
            converted.append(message)
    return converted
