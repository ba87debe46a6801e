"""The optional webhook for group bots: after an ingest stores new documents, POST their titles and links as
JSON to the operator's URL. Titles are public (lists, feeds); no document text is sent.

Sending never holds up or fails an ingest: it runs in a daemon thread with a timeout, and a failure is
logged and dropped (a bot that is down misses one message, the library loses nothing)."""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from collections.abc import Sequence

from sucai.model import IngestedDocument

TIMEOUT_S = 5.0
MAX_LISTED = 50  # a big batch announces its count and its first titles, not a thousand lines
log = logging.getLogger("sucai.webhook")


def payload(docs: Sequence[IngestedDocument], public_url: str) -> dict[str, object]:
    originals = [d for d in docs if d.duplicate_of is None]
    base = public_url.rstrip("/")
    return {
        "event": "new_documents",
        "count": len(originals),
        "documents": [{"id": d.id, "title": d.title, "url": f"{base}/d/{d.id}"} for d in originals[:MAX_LISTED]],
    }


def send(url: str, body: dict[str, object]) -> bool:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return 200 <= response.status < 300
    except (OSError, ValueError) as exc:
        log.warning("webhook %s failed: %s", url, exc)
        return False


def announce(url: str | None, public_url: str, docs: Sequence[IngestedDocument]) -> threading.Thread | None:
    """POST the new originals among `docs` in the background; the thread (to join in tests), or None."""
    body = payload(docs, public_url)
    if not url or not body["count"]:
        return None
    thread = threading.Thread(target=send, args=(url, body), name="sucai-webhook", daemon=True)
    thread.start()
    return thread
