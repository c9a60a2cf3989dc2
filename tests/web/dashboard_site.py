"""The officials' dashboard on a test server over a seeded world: Hà Nội (two communes) and Cần Thơ."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import build_app, build_web
from bot.settings import Settings
from db.models.core import AuditLog
from db.models.eligibility import EligibilityCheck
from db.models.questions import Question
from flows.announcements.outbox import create_announcement
from flows.dashboard_login.flow import issue_login_token
from flows.join.scope import Scope
from flows.monthly_report.reports import submit
from tests.chat import fixed_clock
from tests.registry.world import (
    CAN_THO,
    CUA_NAM,
    HANOI,
    HOAN_KIEM,
    NINH_KIEU,
    answers,
    coop,
    head_of,
    official,
    user,
)

HANOI_SCOPE = Scope("province", HANOI)
CUA_NAM_SCOPE = Scope("commune", HANOI, CUA_NAM)
CAN_THO_SCOPE = Scope("province", CAN_THO)


class Site:
    """The bot's web app on a test server, with the seeded world's ids and a browser-like client."""

    def __init__(self, app, client: TestClient) -> None:
        self.app, self.client = app, client
        self.ids: dict[str, int] = {}

    async def link_for(self, user_id: int, **kwargs) -> str:
        async with self.app.sessionmaker() as session:
            raw = await issue_login_token(session, user_id, **kwargs)
            await session.commit()
        return raw

    async def sign_in(self, raw: str, client: TestClient | None = None):
        """Open the link and confirm, as a person would; returns the confirmation's response."""
        client = client or self.client
        opened = await client.get("/quan-ly/dang-nhap", params={"t": raw})
        token = csrf_of(await opened.text())
        return await client.post("/quan-ly/dang-nhap", data={"t": raw, "csrf": token}, allow_redirects=False)

    async def as_official(self, name: str, client: TestClient | None = None) -> str:
        """Sign in as one of the seeded officials; returns the session's form token."""
        response = await self.sign_in(await self.link_for(self.ids[name]), client)
        assert response.status == 303
        page = await (client or self.client).get("/quan-ly/thong-bao")
        return csrf_of(await page.text())

    async def count(self, model) -> int:
        async with self.app.sessionmaker() as session:
            return await session.scalar(select(func.count()).select_from(model))


def once_key() -> str:
    """A fresh one-time key for a dashboard form that changes something (bot/web/dashboard/once.py)."""
    return secrets.token_urlsafe(24)


def once_of(page: str) -> str:
    """The one-time key of the form on a page."""
    found = re.search(r'name="once" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


async def seed(sessionmaker) -> dict[str, int]:
    """Hà Nội (two communes) and Cần Thơ: cooperatives, reports for 10/2026, officials, users, usage events."""
    async with sessionmaker() as s:
        cua_nam = await coop(s, "HTX Rau Sạch Cửa Nam", HANOI, CUA_NAM, reg="0101")
        hoan_kiem = await coop(s, "HTX Gốm Hoàn Kiếm", HANOI, HOAN_KIEM)
        silent = await coop(s, "HTX Im Lặng", HANOI, CUA_NAM)
        ninh_kieu = await coop(s, "HTX Lúa Ninh Kiều", CAN_THO, NINH_KIEU)
        for c, extra in ((cua_nam, {"difficulties": "Giá phân bón tăng", "needs": ["von"]}), (hoan_kiem, {}),
                         (ninh_kieu, {"status": "kho_khan", "difficulties": "Ngập úng"})):
            head = await head_of(s, c, province_code=c.province_code, commune_code=c.commune_code, role="chu_nhiem")
            await submit(s, head, c, answers("2026-10", **extra))
        await submit(s, await head_of(s, cua_nam), cua_nam, answers("2026-10", members=21, difficulties="Giá phân bón tăng"),
                     confirmed=True)
        ids = {"cua_nam": cua_nam.id, "ninh_kieu": ninh_kieu.id, "silent": silent.id}
        ids["hanoi"] = (await official(s, HANOI_SCOPE)).id
        ids["cua_nam_official"] = (await official(s, CUA_NAM_SCOPE)).id
        ids["can_tho"] = (await official(s, CAN_THO_SCOPE)).id
        ids["farmer"] = (await user(s, "Nông dân", role="nong_dan", province_code=HANOI, commune_code=CUA_NAM)).id
        can_tho_farmer = await user(s, "Nông dân Cần Thơ", role="nong_dan", province_code=CAN_THO,
                                    commune_code=NINH_KIEU)
        for person, actions in ((ids["farmer"], ("founding.started", "founding.form_chosen")),
                                (can_tho_farmer.id, ("founding.started",))):
            s.add_all([AuditLog(user_id=person, action=a, detail={}) for a in actions])
        s.add(EligibilityCheck(user_id=ids["farmer"], checked_on=dt.date(2026, 11, 20),
                               outcomes={"nd113-dao-tao": "possibly"}, created_at=dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC)))
        s.add(Question(user_id=ids["farmer"], province_code=HANOI, commune_code=CUA_NAM, text="Xã tôi có lớp tập huấn không?"))
        s.add(Question(user_id=can_tho_farmer.id, province_code=CAN_THO, commune_code=NINH_KIEU, text="Hỏi ở Cần Thơ"))
        announcement = await create_announcement(s, ids["can_tho"], CAN_THO_SCOPE, "Tin Cần Thơ", {"kind": "everyone"})
        ids["can_tho_announcement"] = announcement.id
        await s.commit()
    return ids


async def make_site(database_url: str, base_url: str = "http://127.0.0.1:8080", **extra):
    settings = Settings(database_url=database_url, telegram_bot_token=None, web_base_url=base_url, **extra)
    app = build_app(settings, clock=fixed_clock(), parts=["dashboard"])
    client = TestClient(TestServer(build_web(app)))
    await client.start_server()
    return Site(app, client)
