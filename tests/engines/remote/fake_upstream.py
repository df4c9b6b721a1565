"""A tiny OpenAI-compatible server (a real FastAPI app on loopback) whose behaviour the model name picks.

Models: "chunks" streams three pieces 0.2 s apart plus a usage chunk ("slow": 1 s apart,
"instant": no pause); "status-<N>" answers HTTP N with an OpenAI error body; "sleep" answers only
after 2 s; "error-mid" sends one piece and then an in-band error. GLM-style replies, streamed in
7-character pieces (so markers split across chunks): "say:<text>" streams <text>; "glm-box:<x1>,<y1>,
<x2>,<y2>" streams thinking as vLLM's `reasoning` deltas (--reasoning-parser glm45), then an answer that
points at that 0–1000 box and restates itself in a box at the end. Every received body is kept in
`received`; a stream the client abandoned is counted in `abandoned`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

PIECES = ("Hello", ", wor", "ld!")
GAP_S = 0.2
GLM_THOUGHT = "The user wants the order number. It is on the first line."
GLM_ANSWER = (
    "The order number is printed here <|begin_of_box|>[[{box}]]<|end_of_box|>. It has shipped.\n\n"
    "<|begin_of_box|>It has shipped.<|end_of_box|>"
)
GLM_PIECE = 7


class FakeUpstream:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.abandoned = 0
        self.app = self._build()

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/models")
        async def models() -> dict[str, Any]:
            return {"object": "list", "data": [{"id": "chunks", "object": "model"}]}

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> Any:
            body = await request.json()
            self.received.append(body)
            model = body["model"]
            if model.startswith("status-"):
                status = int(model.removeprefix("status-"))
                headers = {"Retry-After": "7"} if status == 429 else {}
                error = {"message": f"upstream says {status}", "type": "x", "code": status}
                return JSONResponse({"error": error}, status_code=status, headers=headers)
            if model == "sleep":
                await asyncio.sleep(2.0)
            if model.startswith(("say:", "glm-box:")):
                return StreamingResponse(_glm_stream(model), media_type="text/event-stream")
            return StreamingResponse(self._stream(model), media_type="text/event-stream")

        return app

    async def _stream(self, model: str) -> AsyncIterator[str]:
        finished = False
        try:
            for i, piece in enumerate(PIECES):
                if i:
                    await asyncio.sleep({"slow": 1.0, "instant": 0.0}.get(model, GAP_S))
                yield _event({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
                if model == "error-mid":
                    yield _event({"error": {"message": "the GPU fell over", "code": 500}})
                    finished = True
                    return
            yield _event({"choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]})
            yield _event({"choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}})
            yield "data: [DONE]\n\n"
            finished = True
        finally:
            if not finished:
                self.abandoned += 1


def _event(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"


def _delta(**fields: str) -> str:
    return _event({"choices": [{"index": 0, "delta": fields, "finish_reason": None}]})


async def _glm_stream(model: str) -> AsyncIterator[str]:
    kind, _, argument = model.partition(":")
    if kind == "glm-box":
        for i in range(0, len(GLM_THOUGHT), GLM_PIECE):
            yield _delta(reasoning=GLM_THOUGHT[i : i + GLM_PIECE])
        text = GLM_ANSWER.format(box=", ".join(argument.split(",")))
    else:
        text = argument
    for i in range(0, len(text), GLM_PIECE):
        await asyncio.sleep(0.01)
        yield _delta(content=text[i : i + GLM_PIECE])
    yield _event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    yield "data: [DONE]\n\n"
