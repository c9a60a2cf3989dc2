"""The dashboard's route table under /quan-ly/ (the installer adds it to the app)."""

from __future__ import annotations

from aiohttp import web

from bot.web.assets import shared as shared_assets

from . import announce, answer, audit, coops, exports, followups, pages, schedule, signin


async def _css(request: web.Request) -> web.StreamResponse:
    """The dashboard's CSS, kept a year by browsers when asked for by its current version (?v=)."""
    return shared_assets().answer(request, "dashboard.css")


async def _to_home(_request: web.Request) -> web.StreamResponse:
    return web.Response(status=308, headers={"Location": "/quan-ly/"})


def routes() -> list[web.RouteDef]:
    """Every page and endpoint of the dashboard."""
    return [
        web.get("/quan-ly", _to_home),
        web.get("/quan-ly/dashboard.css", _css),
        web.get("/quan-ly/dang-nhap", signin.open_link),
        web.post("/quan-ly/dang-nhap", signin.confirm),
        web.post("/quan-ly/dang-xuat", signin.logout),
        web.get("/quan-ly/", pages.home),
        web.get("/quan-ly/xu-huong", pages.trends),
        web.get("/quan-ly/kho-khan", pages.needs),
        web.get("/quan-ly/thanh-lap", pages.funnel),
        web.get("/quan-ly/ho-tro", followups.eligibility),
        web.get("/quan-ly/cau-hoi", followups.questions),
        web.get("/quan-ly/cau-hoi/{question_id}", answer.show),
        web.post("/quan-ly/cau-hoi/{question_id}/tra-loi", answer.send),
        web.get("/quan-ly/hop-tac-xa", coops.listing),
        web.get("/quan-ly/hop-tac-xa/{coop_id}", coops.history),
        web.get("/quan-ly/thong-bao", announce.compose),
        web.post("/quan-ly/thong-bao/xem-truoc", announce.preview),
        web.post("/quan-ly/thong-bao/gui", announce.send),
        web.post("/quan-ly/thong-bao/hen-gio", schedule.schedule),
        web.post("/quan-ly/thong-bao/{announcement_id}/huy", schedule.cancel),
        web.get("/quan-ly/thong-bao/{announcement_id}", announce.follow),
        web.get("/quan-ly/thong-bao/{announcement_id}/tien-do", announce.progress_json),
        web.get("/quan-ly/xuat", exports.form),
        web.get("/quan-ly/xuat/tep", exports.download),
        web.get("/quan-ly/nhat-ky", audit.log),
    ]
