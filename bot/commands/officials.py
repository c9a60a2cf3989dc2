"""`htxbot officials add`: give a user an official's role within a scope (the first official too)."""

from __future__ import annotations

import datetime as dt

from bot.commands._run import add_scope_args, helptext, say, scope_from, with_session


def register(sub) -> None:
    officials = sub.add_parser("officials", help=helptext("officials.can_bo")).add_subparsers(dest="officials_command", required=True)
    add = officials.add_parser("add", help=helptext("officials.cap_quyen_can_bo_cho_mot_nguoi_dung_hoac"))
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--external-id", help=helptext("officials.ma_nguoi_dung_tren_kenh_vi_du_ma_telegra"))
    who.add_argument("--code", action="store_true", help=helptext("officials.in_mot_ma_moi_dung_mot_lan_thay_vi_cap_t"))
    add.add_argument("--channel", default="telegram")
    add_scope_args(add)
    add.set_defaults(handler=add_official)


def add_official(settings, args) -> None:
    from flows.join.accounts import add_official as grant
    from flows.join.invites import create_code

    scope = scope_from(args)

    async def work(session):
        if args.code:
            return await create_code(session, "official", None, scope=scope, ttl=dt.timedelta(days=7))
        return await grant(session, scope, channel=args.channel, external_id=args.external_id)

    result = with_session(settings, work)
    if args.code:
        say("official_code", code=result.code)
    else:
        say("official_added", channel=args.channel, external_id=args.external_id, level=scope.level)
