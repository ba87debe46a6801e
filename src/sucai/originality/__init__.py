"""Fingerprints and the originality report (查重): see fingerprint.py and check.py."""

from sucai.originality.check import GUARANTEE, MIN_REPORTED, check
from sucai.originality.fingerprint import content_chars, document_fingerprints
from sucai.originality.quotes import quote_spans
from sucai.originality.report_docx import check_report_docx

__all__ = [
    "GUARANTEE",
    "MIN_REPORTED",
    "check",
    "check_report_docx",
    "content_chars",
    "document_fingerprints",
    "quote_spans",
]
