"""What the Zalo tests share: the app serving a fake Zalo (Bot API or OA) on 127.0.0.1, a person writing to it."""

from __future__ import annotations

import contextlib
import re

from bot.settings import Settings
from tests.fakes.zalo_api import ZaloBotFake, post_zalo_update
from tests.fakes.zalo_oa import ZaloOAFake, oa_text_event, post_oa_event
from tests.serving import served

TOKEN = "1234567890:zalo-secret"
SECRET = "zalo-webhook-Secret_1"
HOOK = "https://htx.example/zalo/webhook"
APP_ID, OA_SECRET, APP_SECRET = "4321", "oa-secret-key", "oa-app-secret"


def bot_settings(database_url: str, zalo: ZaloBotFake, **extra) -> Settings:
    return Settings(**{"database_url": database_url, "telegram_bot_token": None, "zalo_bot_token": TOKEN,
                       "zalo_api_base_url": zalo.base_url, "zalo_poll_timeout": 1, "zalo_poll_interval": 0.05,
                       **extra})


def oa_settings(database_url: str, oa: ZaloOAFake, **extra) -> Settings:
    return Settings(**{
        "database_url": database_url, "telegram_bot_token": None, "zalo_bot_token": None,
        "zalo_oa_app_id": APP_ID, "zalo_oa_secret_key": OA_SECRET, "zalo_oa_app_secret": APP_SECRET,
        "zalo_oa_access_token": "access-0", "zalo_oa_refresh_token": "refresh-0",
        "zalo_oa_api_base_url": oa.openapi_base, "zalo_oa_oauth_base_url": oa.oauth_base, **extra})


@contextlib.asynccontextmanager
async def serving(settings: Settings, path: str, parts=("zalo",)):
    """The app with these settings and parts on 127.0.0.1; yields (app, URL of `path`)."""
    async with served(settings, parts, start=True) as (app, server):
        yield app, str(server.make_url(path))


def running(database_url, zalo: ZaloBotFake, *, webhook=False, parts=("zalo",), **extra):
    """The app serving the Zalo bot (polling, or webhook when asked); yields (app, webhook URL)."""
    if webhook:
        extra |= {"zalo_webhook_url": HOOK, "zalo_webhook_secret": SECRET}
    return serving(bot_settings(database_url, zalo, **extra), "/zalo/webhook", parts)


def running_oa(database_url, oa: ZaloOAFake, parts=("zalo",), **extra):
    """The app serving the OA webhook; yields (app, webhook URL)."""
    return serving(oa_settings(database_url, oa, **extra), "/zalo-oa/webhook", parts)


class ZaloUser:
    """A person writing to the bot on Zalo, through polling (the fake's queue) or the webhook."""

    def __init__(self, zalo: ZaloBotFake, user_id: str, name: str = "Chị Hoa", webhook: str | None = None) -> None:
        self.zalo, self.id, self.name, self.webhook = zalo, user_id, name, webhook

    @property
    def received(self) -> list[str]:
        return [c.text or "" for c in self.zalo.messages_to(self.id)]

    async def say(self, text: str, expect: str) -> str:
        """Send a text and wait for a new reply containing `expect`; returns everything said since."""
        before = len(self.received)
        update = self.zalo.user_says(self.id, text, display_name=self.name)
        if self.webhook:
            self.zalo.updates.remove(update)
            assert await post_zalo_update(self.webhook, update, secret=SECRET) == 200
        await self.zalo.wait_for(lambda: any(expect in t for t in self.received[before:]), timeout=10)
        return "\n".join(self.received[before:])

    async def pick(self, fragment: str, expect: str) -> str:
        """Answer the last question with the number of the option whose label contains `fragment`."""
        options = re.findall(r"^(\d+)\. (.+)$", self.received[-1], re.MULTILINE)
        number = next(n for n, label in options if fragment in label)
        return await self.say(number, expect)


def oa_received(oa: ZaloOAFake, user_id: str) -> list[str]:
    return [c.text or "" for c in oa.sent if c.chat_id == user_id]


async def oa_say(oa: ZaloOAFake, url: str, user_id: str, text: str, expect: str, **post) -> None:
    """A user writes to the OA; wait for a new reply containing `expect`."""
    before = len(oa_received(oa, user_id))
    assert await post_oa_event(url, oa_text_event(APP_ID, user_id, text), APP_ID, OA_SECRET, **post) == 200
    await oa.wait_for(lambda: any(expect in t for t in oa_received(oa, user_id)[before:]), timeout=10)
