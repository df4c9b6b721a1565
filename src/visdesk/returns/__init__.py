"""Return-reason attribution (POST /v1/returns/attribute): taxonomy from the knowledge base, cues, evidence."""

from visdesk.returns.attribute import Attribution, attribute
from visdesk.returns.service import ReturnDesk, build_return_desk
from visdesk.returns.taxonomy import Taxonomy, load_taxonomy

__all__ = ["Attribution", "ReturnDesk", "Taxonomy", "attribute", "build_return_desk", "load_taxonomy"]
