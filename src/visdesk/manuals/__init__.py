"""Manual drafts (POST /v1/manuals/draft, `visdesk manual draft`): photos + spec table → cited drafts per language."""

from visdesk.manuals.draft import LanguageDraft, draft_manual
from visdesk.manuals.service import ManualDrafter, check_languages, draft_json
from visdesk.manuals.specs import SpecRow, parse_specs

__all__ = ["LanguageDraft", "ManualDrafter", "SpecRow", "check_languages", "draft_json", "draft_manual", "parse_specs"]
