"""JSON Lines: one document per line, {"title", "content", "year"?}, as corpus exports are written."""

from __future__ import annotations

import json
from typing import Any

from sucai.errors import InputError
from sucai.ingest.limits import Limits
from sucai.ingest.readers.base import SourceText, year_of
from sucai.ingest.readers.text import decode_text, drop_controls, normalise_newlines
from sucai.store.base import StoredFile


def read_jsonl(file: StoredFile, limits: Limits) -> list[SourceText]:
    """One text per line; one bad line fails the whole file, naming the line.

    Failing whole keeps the report honest: a half-ingested file would look done and never be retried.
    """
    decoded = decode_text(file.data)
    texts: list[SourceText] = []
    for number, line in enumerate(decoded.text.split("\n"), start=1):
        if not line.strip():
            continue
        record = _record(line, number)
        title = record.get("title")
        texts.append(SourceText(
            f"{file.origin}#{number}", drop_controls(normalise_newlines(record["content"])), "jsonl",
            decoded.encoding, (title.strip() or None) if isinstance(title, str) else None,
            year_of(record.get("year")),
        ))
    return texts


def looks_like_jsonl(text: str) -> bool:
    """The first line is a JSON object with a "content" text (a .txt that is really an export)."""
    first = next((line for line in text.split("\n", 20) if line.strip()), "").strip()
    if not (first.startswith("{") and first.endswith("}")):
        return False
    try:
        record = json.loads(first)
    except (json.JSONDecodeError, RecursionError):
        return False
    return isinstance(record, dict) and isinstance(record.get("content"), str)


def _record(line: str, number: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                         "no line of the file was ingested") from exc
    except RecursionError as exc:
        raise InputError(f"line {number}: JSON nested too deeply; no line of the file was ingested") from exc
    if not isinstance(record, dict):
        raise InputError(f"line {number}: expected a JSON object with \"title\" and \"content\"; "
                         "no line of the file was ingested")
    if not isinstance(record.get("content"), str):
        raise InputError(f"line {number}: no \"content\" text; no line of the file was ingested")
    return record
