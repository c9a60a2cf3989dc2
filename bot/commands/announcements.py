"""`htxbot announcements deliver`: run the delivery queue until nothing is due (cron or one-off use)."""

from __future__ import annotations

import asyncio

from bot.commands._run import helptext, say


def register(sub) -> None:
    ann = sub.add_parser("announcements", help=helptext("announcements.thong_bao")).add_subparsers(dest="ann_command", required=True)
    ann.add_parser("deliver", help=helptext("announcements.gui_cac_thong_bao_dang_cho_roi_dung")).set_defaults(handler=deliver)


def deliver(settings, _args) -> None:
    from bot.app import build_app
    from bot.wiring.announcements import make_worker

    async def main():
        app = build_app(settings)
        try:
            for channel in app.channels.values():
                await channel.start_sending()
            return await make_worker(app).run_until_idle()
        finally:
            for channel in app.channels.values():
                await channel.stop_sending()
            await app.close()

    counters = asyncio.run(main())
    say("delivered", sent=counters.sent, failed=counters.failed, blocked=counters.blocked)
