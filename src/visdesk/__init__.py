"""visdesk: answers customer questions about screenshots and photos, grounded in what they show."""

from __future__ import annotations

__version__ = "0.1.0"

from visdesk.assistant import Assistant

__all__ = ["Assistant", "__version__"]
