"""Routes for the other nodes of the library, not for people: `GET /api/index/snapshot` streams this node's
finished search index (search/snapshot.py) to a new node, which then follows the change log from its position.

The index holds the member-only text (its tokens, with positions), so the route answers only a request that
carries the nodes' shared secret, `Authorization: Bearer SUCAI_NODE_SECRET`; without that setting it does not
exist (404, as for any unknown address). Accounts and API tokens never open it.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException

from sucai.search.snapshot import POSITION_HEADER, SNAPSHOT_PATH, NoSnapshot, take_snapshot
from sucai.settings import Rate, Settings
from sucai.web.limits import address_key, client_address, hit
from sucai.web.problems import LoginRequired

RETRY_AFTER_S = 10
NODE_REQUESTS = Rate(30, 60)  # snapshot requests per address and minute
router = APIRouter()


def _check_node(request: Request) -> None:
    """404 when this node gives no snapshots; 429 past NODE_REQUESTS from one address; 401 unless the
    request carries the nodes' secret."""
    settings: Settings = request.app.state.settings
    if not settings.node_secret:
        raise HTTPException(404, "Not Found")
    # Every request counts, the right secret too: were only failures counted, a refusal past the limit would
    # still tell a guess from the secret. A new node asks once at its start.
    key = f"node:addr:{address_key(client_address(request))}"
    hit(request.app.state.library.store, [(key, NODE_REQUESTS)], _too_many)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # compare_digest: the time taken says nothing about how much of a guess was right
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), settings.node_secret.encode()):
        raise LoginRequired("需要节点密钥。Only the library's nodes may ask for this (Bearer SUCAI_NODE_SECRET).")


def _too_many(rate: Rate, wait: int) -> str:
    return f"节点请求过于频繁，请 {wait} 秒后再试。Too many snapshot requests ({rate.count} a minute); wait {wait} s."


@router.get(SNAPSHOT_PATH, include_in_schema=False)
def index_snapshot(request: Request) -> StreamingResponse:
    """This node's committed index as an uncompressed tar; its change-log position in X-Sucai-Position."""
    _check_node(request)
    try:
        snapshot = take_snapshot(request.app.state.library.engine)
    except NoSnapshot as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": str(RETRY_AFTER_S)}) from exc
    headers = {POSITION_HEADER: str(snapshot.position), "Content-Length": str(snapshot.size)}
    # The stream removes the staged links when it ends; the task too when a reader left before it began.
    return StreamingResponse(snapshot.chunks(), media_type="application/x-tar", headers=headers,
                             background=BackgroundTask(snapshot.discard))
