"""Matching documents to customers and open bills with rapidfuzz. No database or web imports."""

from matching.ledger import BillRecord, CustomerRecord, Ledger
from matching.matcher import MatchPolicy, match_document

__all__ = ["BillRecord", "CustomerRecord", "Ledger", "MatchPolicy", "match_document"]
