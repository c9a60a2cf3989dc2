"""What operators watch: /metrics in the Prometheus text format (prometheus-client).

Per process (Prometheus adds up the processes): messages handled per channel and outcome, the
answer latency (from the engine taking a message up to its replies sent), delivery outcomes of
everything sent outside a conversation (announcements, reminders, answers to questions), reminder
runs, database errors and event-loop stalls. For the whole installation, read from the database
at each scrape: the inbox backlog and the announcement outbox backlog.

/metrics answers on loopback (a request that came through a proxy is not loopback), or anywhere
with "Authorization: Bearer <METRICS_TOKEN>"; anyone else gets 403.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from aiohttp import web
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)
from sqlalchemy import func, select

from bot.settings import is_loopback
from bot.timeouts import within
from db.models.inbox import InboxItem, InboxStatus
from db.models.outbox import Delivery, DeliveryStatus
from flows.engine.delivery import PermanentError, RecipientGone, RetryLater, TransientError
from flows.engine.messages import Incoming

if TYPE_CHECKING:
    from bot.parts import App

log = logging.getLogger(__name__)

STALL = 0.1  # seconds: the event loop held longer than this by one piece of work is a stall
TICK = 0.05  # seconds between two looks at the event loop
SCRAPE_DB_WAIT = 2.0  # seconds the backlog queries may take; then the last values are shown
_METRICS: WeakKeyDictionary[Any, Metrics] = WeakKeyDictionary()


class Metrics:
    """This process's metrics, in a registry of its own (tests build many apps in one process)."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.messages = Counter("htxbot_messages_handled", "Messages handled, by channel and outcome "
                                "(ok, error: the user got the error reply, repeat: a re-delivered update)",
                                ["channel", "outcome"], registry=r)
        self.latency = Histogram("htxbot_answer_seconds", "From the engine taking a message up to its replies sent",
                                 ["channel"], registry=r,
                                 buckets=(.001, .002, .003, .005, .008, .013, .021, .05, .1, .25, .5, 1, 2.5, 5, 10))
        self.inbox_backlog = Gauge("htxbot_inbox_backlog", "Updates in the inbox not handled yet (all processes)",
                                   registry=r)
        self.inbox_held = Gauge("htxbot_inbox_held", "Updates this process is handling", registry=r)
        self.outbox_backlog = Gauge("htxbot_outbox_backlog", "Announcement deliveries waiting or being sent "
                                    "(all processes)", registry=r)
        self.deliveries = Counter("htxbot_deliveries", "Messages sent outside a conversation (announcements, "
                                  "reminders, answers), by channel and outcome", ["channel", "outcome"], registry=r)
        self.reminder_runs = Counter("htxbot_reminder_runs", "Daily reminder runs of this process", registry=r)
        self.reminders = Counter("htxbot_reminders", "Reminders by outcome (sent, failed, released)", ["outcome"],
                                 registry=r)
        self.db_errors = Counter("htxbot_database_errors", "Database calls that raised an error", registry=r)
        self.loop_lag = Histogram("htxbot_event_loop_lag_seconds", "How late the event loop woke up a sleeper",
                                  registry=r, buckets=(.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
        self.loop_stalls = Counter("htxbot_event_loop_stalls", f"Times the event loop was held more than {STALL} s",
                                   registry=r)
        self._held: Any = None

    def observe(self, incoming: Incoming, outcome: str, seconds: float) -> None:
        """The engine's observer: one message handled."""
        self.messages.labels(incoming.channel, outcome).inc()
        if outcome != "repeat":
            self.latency.labels(incoming.channel).observe(seconds)

    async def refresh(self, app: App) -> None:
        """Read the backlogs from the database (bounded in time; old values stay on failure)."""
        async def read() -> tuple[int, int]:
            async with app.db.connect() as conn:
                inbox = await conn.scalar(select(func.count()).select_from(InboxItem)
                                          .where(InboxItem.status == InboxStatus.PENDING))
                outbox = await conn.scalar(select(func.count()).select_from(Delivery).where(
                    Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])))
                return inbox or 0, outbox or 0

        try:
            inbox, outbox = await within(read(), SCRAPE_DB_WAIT)
        except Exception as exc:  # noqa: BLE001 - the scrape still answers; database errors are counted
            log.info("metrics: backlogs not read: %s", str(exc) or type(exc).__name__)
        else:
            self.inbox_backlog.set(inbox)
            self.outbox_backlog.set(outbox)
        inbox = self._held() if self._held is not None else None
        if inbox is not None:
            self.inbox_held.set(inbox.held)


class CountedSender:
    """A channel's sender whose send() outcomes are counted; everything else is the sender's own."""

    def __init__(self, sender: Any, channel: str, deliveries: Counter) -> None:
        self._sender, self._channel, self._deliveries = sender, channel, deliveries

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sender, name)

    async def send(self, external_id: str, text: str) -> Any:
        outcome = "sent"
        try:
            return await self._sender.send(external_id, text)
        except RetryLater:
            outcome = "retry_later"
            raise
        except RecipientGone:
            outcome = "recipient_gone"
            raise
        except TransientError:
            outcome = "transient_error"
            raise
        except PermanentError:
            outcome = "permanent_error"
            raise
        except BaseException:
            outcome = "error"
            raise
        finally:
            self._deliveries.labels(self._channel, outcome).inc()


def metrics_of(app: App) -> Metrics | None:
    """The app's metrics, if the metrics part is installed."""
    return _METRICS.get(app.engine)


def new_metrics(app: App) -> Metrics:
    """The app's metrics, made once (bot/wiring/metrics.py)."""
    metrics = _METRICS[app.engine] = Metrics()
    return metrics


def record_reminders(app: App, sent: int, failed: int, released: int) -> None:
    """Count a reminder run (called by bot/wiring/reminders.py)."""
    metrics = metrics_of(app)
    if metrics is not None:
        metrics.reminder_runs.inc()
        for outcome, count in (("sent", sent), ("failed", failed), ("released", released)):
            if count:
                metrics.reminders.labels(outcome).inc(count)


def allowed(request: web.Request, token: str | None) -> bool:
    """Loopback without a proxy in between, or the right bearer token."""
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    proxied = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    return not proxied and is_loopback(request.remote or "")


def watch_loop(metrics: Metrics):
    async def watch_event_loop(stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            before = loop.time()
            await asyncio.sleep(TICK)
            lag = max(loop.time() - before - TICK, 0.0)
            metrics.loop_lag.observe(lag)
            if lag > STALL:
                metrics.loop_stalls.inc()
                log.warning("the event loop was held for %.0f ms", lag * 1000)

    return watch_event_loop
