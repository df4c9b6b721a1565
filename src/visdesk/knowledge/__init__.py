"""Knowledge base: the shop's manuals, FAQ, error codes and catalog, searchable. (Placeholder.)"""

from __future__ import annotations

from collections.abc import Sequence

from visdesk.domain import Passage, Perception, Query
from visdesk.settings import Settings


class EmptyKnowledge:
    def search(self, query: Query, seen: Perception | None, top_k: int) -> Sequence[Passage]:
        return ()


def build_knowledge(settings: Settings) -> EmptyKnowledge:
    return EmptyKnowledge()
