"""Typing an invite code: `/thamgia CODE`, or the question asking for it, links a cooperative's head
or deputy, or grants an official's scope (flows.join.invites.redeem, which also slows guessing)."""

from __future__ import annotations

from enum import StrEnum

from db.models.core import User
from flows.engine.context import Context
from flows.engine.dsl import Ask, Command, Do, Flow
from flows.engine.inputs import Text
from flows.engine.messages import Reply
from flows.join import invites


class Step(StrEnum):
    CODE = "code"
    REDEEM = "redeem"


async def redeem_code(ctx: Context, typed: str, retry: str) -> str:
    """Redeem a typed code and say what happened; returns where to go (`retry` to ask for it again)."""
    user = await ctx.session.get(User, ctx.profile.id)
    result = await invites.redeem(ctx.session, user, typed, origin=ctx.incoming.origin)
    ctx.replies.append(Reply(result.text))
    ctx.record("invite.redeemed", outcome=str(result.outcome), kind=result.kind)
    if result.outcome is invites.Outcome.LINKED:
        return "flow:monthly_report" if result.kind == "reporter" else "flow:officials"
    if result.outcome is invites.Outcome.SLOWED_DOWN:
        return "flow:menu"
    return retry


async def _redeem(ctx: Context) -> str:
    return await redeem_code(ctx, ctx.answers.pop("code", ""), retry=Step.CODE)


async def _command(ctx: Context, arg: str) -> str:
    if not arg.strip():
        return "flow:join"
    return await redeem_code(ctx, arg, retry="flow:join")


join = Flow(
    "join",
    [
        Ask(Step.CODE, "join/ask_code.j2", Text(max_len=40), save_as="code", optional=False),
        Do(Step.REDEEM, _redeem),
    ],
    commands=[Command("thamgia", _command)],
)
