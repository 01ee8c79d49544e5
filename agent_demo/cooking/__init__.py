"""A cooking assistant written the way most Phoenix users write their app: the plain
``openai`` SDK, traced only by OpenInference's ``OpenAIInstrumentor`` registered through
``phoenix.otel.register`` (no spans of its own). It never imports ``pipeline`` nor the
weather agent: it stands for "your own app".

Trace shape (see ``README.md`` in this folder): without tools, each question is one trace
whose only span, the root, is an LLM span (``llm.input_messages``: system prompt and
question; ``llm.output_messages``: the answer). With ``--tools``, every model call is a root
LLM span of its own trace; a question's calls share ``session.id``.
"""
