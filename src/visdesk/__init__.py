"""visdesk: answers customer questions about screenshots and photos, grounded in what they show.

from visdesk import Assistant
with Assistant.from_pretrained("embedded") as assistant:
    assistant.generate(image="screenshot.png", text="错误码是什么？")
"""

from __future__ import annotations

__version__ = "0.1.0"

from visdesk.assistant import Assistant, ImageLike
from visdesk.domain import Answer, Evidence, Source
from visdesk.errors import AppError, ErrorCode

__all__ = ["Answer", "AppError", "Assistant", "ErrorCode", "Evidence", "ImageLike", "Source", "__version__"]
