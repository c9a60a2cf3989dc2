"""The officials' web dashboard: its pages under /quan-ly/ on the bot's web server."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.parts import App


def install(app: App) -> None:
    """Add the dashboard's routes (sign-in links come from the /dangnhap chat command)."""
    from bot.web.dashboard.routes import routes

    app.routes.extend(routes())
