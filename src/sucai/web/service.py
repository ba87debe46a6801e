"""Pages and API of the running service: members' saved searches, redeeming membership codes, and, for
admins, what users look for (charts) and codes for the shop. (Today's digest is the /new page.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from sucai import access
from sucai.memberships import CODE_TIERS, codes_csv
from sucai.model import User
from sucai.settings import Rate
from sucai.store.codes import Redemption
from sucai.web.auth import Admin, ApiViewer, CsrfChecked, SignedIn, admin_only, library
from sucai.web.charts import bar_chart, days_series
from sucai.web.limits import address_key, client_address, hit
from sucai.web.render import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["membership"])
admin = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(admin_only)])
# Redemption tries per account and per address: a code has 100 random bits, and this keeps guessing hopeless.
REDEEM_ACCOUNT, REDEEM_ADDRESS = Rate(10, 3600), Rate(30, 3600)
STATS_DAYS = 30


# -- saved searches ----------------------------------------------------------------------------------
@router.get("/saved", response_class=HTMLResponse)
def saved_page(request: Request, viewer: SignedIn) -> HTMLResponse:
    return render(request, "saved.html", {"news": library(request).saved_search_news(viewer)})


@router.post("/saved", dependencies=[CsrfChecked])
def save_search(request: Request, viewer: SignedIn, q: Annotated[str, Form(max_length=200)]) -> Response:
    library(request).save_search(viewer, q)
    return RedirectResponse("/saved", status_code=303)


@router.post("/saved/{search_id}/seen", dependencies=[CsrfChecked])
def mark_seen(request: Request, viewer: SignedIn, search_id: int) -> Response:
    library(request).store.mark_search_seen(viewer.id, search_id)
    return RedirectResponse("/saved", status_code=303)


@router.post("/saved/{search_id}/delete", dependencies=[CsrfChecked])
def delete_saved(request: Request, viewer: SignedIn, search_id: int) -> Response:
    library(request).store.delete_saved_search(viewer.id, search_id)
    return RedirectResponse("/saved", status_code=303)


# -- membership codes ---------------------------------------------------------------------------------
def _redeem(request: Request, viewer: User, code: str) -> Redemption:
    def message(rate: Rate, wait: int) -> str:
        return (f"兑换尝试过于频繁，请 {wait} 秒后再试。 Too many redemption attempts; try again in {wait} s.")

    limits: list[tuple[str, Rate | None]] = [(f"redeem:user:{viewer.id}", REDEEM_ACCOUNT),
              (f"redeem:addr:{address_key(client_address(request))}", REDEEM_ADDRESS)]
    hit(library(request).store, limits, message)
    return library(request).redeem(viewer, code)


class RedeemRequest(BaseModel):
    code: str = Field(max_length=64, description="The membership code (卡密), e.g. K7Q2M-9XW4T-H3N8R-B6Y1C.")


class RedeemAnswer(BaseModel):
    tier: str
    expires: str | None


@api.post("/redeem", response_model=RedeemAnswer)
def redeem_api(request: Request, body: RedeemRequest, viewer: ApiViewer) -> RedeemAnswer:
    """Redeem a membership code for the signed-in account: 409 when it was used, 404 when there is none."""
    done = _redeem(request, viewer, body.code)  # a guest is refused by Library.redeem
    return RedeemAnswer(tier=done.tier, expires=done.expires)


@router.post("/account/redeem", dependencies=[CsrfChecked])
def redeem_form(request: Request, viewer: SignedIn, code: Annotated[str, Form(max_length=64)]) -> Response:
    done = _redeem(request, viewer, code)
    until = done.expires or "长期"
    return render(request, "message.html", {
        "heading": "兑换成功", "text": f"您的账户已是{access.TIER_NAMES.get(done.tier, done.tier)}，有效期至 {until}。",
        "back": "/account",
    })


# -- admin: codes and charts ------------------------------------------------------------------------------
@admin.get("/codes", response_class=HTMLResponse)
def codes_page(request: Request, viewer: Admin) -> HTMLResponse:
    return render(request, "admin_codes.html", {"batches": library(request).code_batches(), "tiers": CODE_TIERS})


@admin.post("/codes", dependencies=[CsrfChecked])
def make_codes(
    request: Request, viewer: Admin,
    tier: Annotated[str, Form()], days: Annotated[int, Form()], count: Annotated[int, Form()],
) -> Response:
    """New codes, given to the admin once as a CSV for the shop (the library keeps only their hashes)."""
    codes = library(request).make_codes(tier, days, count)
    name = f"membership-codes-{tier}-{days}d-{access.today().isoformat()}.csv"
    return Response(codes_csv(codes, tier, days).encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@admin.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, viewer: Admin) -> HTMLResponse:
    stats = library(request).admin_stats(STATS_DAYS)
    charts = {
        "documents": bar_chart(days_series(stats.documents_per_day, stats.days), "每日新增材料", " 篇"),
        "searches": bar_chart(days_series(stats.searches_per_day, stats.days), "每日搜索次数", " 次"),
        "downloads": bar_chart(days_series(stats.downloads_per_day, stats.days), "每日下载篇数", " 篇"),
        "tiers": bar_chart([(access.TIER_NAMES.get(t, t), n) for t, n in sorted(stats.downloads_by_tier.items())],
                           "各等级下载篇数", " 篇"),
    }
    return render(request, "admin_stats.html", {"stats": stats, "charts": charts, "days": STATS_DAYS})
