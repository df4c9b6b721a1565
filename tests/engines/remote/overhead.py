"""What the remote engine and the OpenAI endpoint add on top of the work itself (not a test).

Run: `python -m tests.engines.remote.overhead`. Prints medians: encoding the image as a data URL,
the remote engine's time to first token and total against an upstream that answers at once (the
fake upstream on loopback), and a cached answer through /v1/chat/completions vs /v1/chat.
"""

from __future__ import annotations

import asyncio
import base64
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from tests.conftest import make_settings
from tests.engines.remote.conftest import request_for, started
from tests.engines.remote.fake_upstream import FakeUpstream
from tests.support.render import png_bytes, render_lines
from tests.support.server import serve
from visdesk.app import create_app
from visdesk.engines.remote import image_data_url
from visdesk.images import intake
from visdesk.settings import ImageSettings

RUNS = 30


def ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


async def engine_rows(url: str, tmp: Path, image: object) -> list[tuple[str, float]]:
    rows = []
    async with started(url, tmp, model="instant") as engine:
        for label, picture in (("remote engine, text only", None), ("remote engine, 1024 px image", image)):
            ttft, total = [], []
            for _ in range(RUNS):
                began = time.perf_counter()
                first = None
                async for delta in engine.stream(request_for("hi", image=picture)):
                    if delta.text and first is None:
                        first = time.perf_counter() - began
                total.append(time.perf_counter() - began)
                ttft.append(first or 0.0)
            rows += [(f"{label}: first token", ms(ttft)), (f"{label}: whole answer", ms(total))]
    return rows


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    png = png_bytes(render_lines(["订单号: A7K29Q"] * 20, width=1400))
    image = intake(png, ImageSettings())
    encode = []
    for _ in range(RUNS):
        began = time.perf_counter()
        image_data_url(image)
        encode.append(time.perf_counter() - began)
    rows = [(f"JPEG data URL of a {image.image.width}x{image.image.height} image", ms(encode))]
    fake = FakeUpstream()
    with serve(fake.app) as url:
        rows += asyncio.run(engine_rows(f"{url}/v1", tmp, image))
    settings = make_settings(tmp, knowledge={"use_demo": False, "index_path": tmp / "kb.sqlite3"})
    b64 = base64.b64encode(png).decode()
    content = [
        {"type": "text", "text": "订单号是多少？"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64}"}},
    ]
    bodies = {
        "/v1/chat/completions": {"model": "visdesk", "messages": [{"role": "user", "content": content}]},
        "/v1/chat": {"image": b64, "question": "订单号是多少？"},
    }
    with serve(create_app(settings)) as url, httpx.Client(timeout=60) as client:
        for path, body in bodies.items():
            client.post(url + path, json=body).raise_for_status()  # first one runs OCR and fills the cache
            samples = []
            for _ in range(RUNS):
                began = time.perf_counter()
                client.post(url + path, json=body).raise_for_status()
                samples.append(time.perf_counter() - began)
            rows.append((f"cached answer over HTTP, {path}", ms(samples)))
    width = max(len(label) for label, _ in rows)
    print(f"{'measurement':<{width}}  median ms")
    for label, value in rows:
        print(f"{label:<{width}}  {value:>9}")


if __name__ == "__main__":
    main()
