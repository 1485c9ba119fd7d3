"""A real OpenAI-compatible chat server on 127.0.0.1 for the AI-mode tests (not a mock of our code).

A tiny FastAPI app served by uvicorn in a thread answers `POST /v1/chat/completions` the way the
test configures it: good JSON, malformed JSON, HTTP 500, too slow, or any content given. It keeps
every request it received so tests can check what was sent (and that nothing was sent). Its fixtures
(`llm_server`, `llm`, `ai_mode`) are in tests/conftest.py:

    def test_x(llm):                 # the server, reset for the test
        llm.judgement = {...}        # what the judge answers
    def test_y(ai_mode):             # the server, and VOICECONSOLE_LLM_* pointing at it
"""

from __future__ import annotations

import copy
import json
import socket
import threading
import time
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse

GOOD_JUDGEMENT: dict[str, Any] = {
    "outcome": {"achieved": "yes", "score": 95, "reasons": ["The agent booked the appointment the caller wanted."]},
    "sentiment": {"label": "Positive", "score": 90, "reasons": ["The caller thanked the agent warmly."]},
}

GOOD_COACHING: dict[str, Any] = {
    "summary": "A smooth booking; confirm the details back to the caller.",
    "wentWell": [
        {
            "title": "Friendly opening",
            "at": 0.5,
            "quote": "Thanks for calling Bright Smile Dental, this is Ava.",
            "detail": "The agent greeted the caller and said who she was.",
        }
    ],
    "wentWrong": [
        {
            "title": "Did not confirm the name",
            "at": 9.0,
            "quote": "Sure, it's Maria Lopez.",
            "detail": "The agent moved on without spelling the name back.",
            "suggestion": "\u201cThanks, Maria. Is that Lopez, L-O-P-E-Z?\u201d",
        }
    ],
}


class FakeLlm:
    """The server's behaviour and what it has seen. Modes: good | malformed | error | slow | refusal."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.reset()
        self.app = self._app()
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def reset(self) -> None:
        # Wake any "slow" request still sleeping, so nothing lingers into the next test.
        getattr(self, "_wake", threading.Event()).set()
        self._wake = threading.Event()
        self.mode = "good"
        self.delay_s = 3.0  # "slow": longer than the tests' 1 s client timeout
        self.judgement: Any = copy.deepcopy(GOOD_JUDGEMENT)
        self.coaching: Any = copy.deepcopy(GOOD_COACHING)
        with self.lock:
            self.requests.clear()

    def count(self, schema: str | None = None) -> int:
        with self.lock:
            return sum(1 for r in self.requests if schema is None or r["schema"] == schema)

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        def completions(body: dict, request: Request):  # sync: runs in a thread, so "slow" can sleep
            schema = (((body.get("response_format") or {}).get("json_schema")) or {}).get("name")
            with self.lock:
                self.requests.append(
                    {"schema": schema, "body": body, "authorization": request.headers.get("authorization")}
                )
            if self.mode == "error":
                return PlainTextResponse("upstream exploded", status_code=500)
            if self.mode == "slow":
                self._wake.wait(self.delay_s)
            content: Any = self.coaching if schema == "call_coaching" else self.judgement
            content = content if isinstance(content, str) else json.dumps(content)
            message: dict[str, Any] = {"role": "assistant", "content": content}
            if self.mode == "malformed":
                message["content"] = '{"outcome": {"achieved": "yes", "score": 9'  # cut off mid-answer
            elif self.mode == "refusal":
                message = {"role": "assistant", "content": None, "refusal": "I can't help with that."}
            return JSONResponse(
                {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model"),
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                }
            )

        return app

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.time() + 10
        while not self._server.started:
            if time.time() > deadline:
                raise RuntimeError("fake LLM server did not start")
            time.sleep(0.02)
        self.base_url = f"http://127.0.0.1:{port}/v1"

    def stop(self) -> None:
        if self._server is not None:
            self._wake.set()
            self._server.should_exit = True
            self._thread.join(timeout=10)


# The settings the `ai_mode` fixture points at the server (and puts back afterwards).
LLM_ENV = (
    "VOICECONSOLE_LLM_BASE_URL",
    "VOICECONSOLE_LLM_API_KEY",
    "VOICECONSOLE_LLM_MODEL",
    "VOICECONSOLE_LLM_TIMEOUT_S",
)


def client_for(server: FakeLlm, *, timeout_s: float = 1.0):
    from voiceconsole.scoring.llm_judge import LlmClient, LlmConfig

    return LlmClient(
        LlmConfig(base_url=server.base_url, model="judge-test", api_key="sk-test-123", timeout_s=timeout_s)
    )


def drain(*queues: str) -> None:
    """Run every queued job of these queues on a real RQ worker, in this process."""
    from rq import SimpleWorker

    from voiceconsole.enqueue import get_queue
    from voiceconsole.redis_client import get_redis

    names = queues or ("scoring", "default")
    SimpleWorker([get_queue(n) for n in names], connection=get_redis()).work(burst=True)
