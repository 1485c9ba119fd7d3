"""Fixtures of the scoring tests: the local OpenAI-compatible server (see llm_server.py)."""

from tests.scoring.llm_server import ai_mode, llm, llm_server  # noqa: F401
