"""`/api/health`: whether this node serves, and how far its search index is behind the store.

A node answers searches from what it has indexed while its follower catches up (or builds an empty index),
so a reverse proxy can send it traffic at once; `lag` and `building` say how complete its answers are.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from sucai.library import Library

router = APIRouter()


def health(lib: Library) -> dict[str, Any]:
    if lib.follower is not None:
        state = lib.follower.health()
    else:  # not following (a test client, an embedded app): the index is synced by the requests themselves
        engine = lib.engine
        position = engine.index.applied_seq()
        store_position = lib.store.last_seq()
        state = {
            "node": None, "position": position, "store_position": store_position,
            "lag": max(0, store_position - position), "building": engine.building, "ready": True,
            "documents": engine.index.num_docs(), "error": None,
        }
    state["status"] = "building" if state["building"] else "behind" if state["lag"] else "ok"
    return state


@router.get("/api/health", summary="This node's state: index position, store position, lag, building")
def api_health(request: Request) -> dict[str, Any]:
    return health(request.app.state.library)
