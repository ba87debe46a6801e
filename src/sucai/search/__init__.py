"""Precise search (精准搜索) and quick lookup (快速查找): our tokens, a derived tantivy index that follows
the store, our query language, exact snippets."""

from __future__ import annotations

from sucai.search.engine import SearchEngine
from sucai.search.query import ParsedQuery, parse

__all__ = ["ParsedQuery", "SearchEngine", "parse"]
