"""The baseline of bench/engine.py: onboarding as python-telegram-bot's ConversationHandler, in memory.

The same templates and input kinds as our flow; only the conversation machinery differs.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from flows.engine import geo
from flows.engine.content import render
from flows.engine.inputs import Ok, YesNo
from flows.onboarding.flow import ROLES

ROLE, PROVINCE, COMMUNE, ANNOUNCE = "role", "province", "commune", "announce"


def _keyboard(options, step):
    return InlineKeyboardMarkup([[InlineKeyboardButton(o.label, callback_data=f"onboarding.{step}|{o.id}")]
                                 for o in options])


def onboarding_handler() -> ConversationHandler:
    yes_no = YesNo()

    def ctx_vars(update):
        return {"answers": {}, "user": {"display_name": update.effective_user.full_name, "role": None},
                "today": None, "channel": "telegram", "current": None, "selected": []}

    async def start(update, context):
        v = ctx_vars(update)
        await update.message.reply_text(render("onboarding/welcome.j2", **v), parse_mode=ParseMode.HTML)
        await update.message.reply_text(render("onboarding/ask_role.j2", **v), parse_mode=ParseMode.HTML,
                                         reply_markup=_keyboard(ROLES, "role"))
        return ROLE

    async def role(update, context):
        q = update.callback_query
        await q.answer()
        context.user_data["role"] = q.data.rpartition("|")[2]
        await q.edit_message_text(q.message.text_html + "\n\n➡️ <b>x</b>", parse_mode=ParseMode.HTML)
        await q.message.chat.send_message(render("onboarding/ask_province.j2", **ctx_vars(update)),
                                          parse_mode=ParseMode.HTML)
        return PROVINCE

    async def province(update, context):
        found = geo.find_province(update.message.text)
        if len(found.places) != 1:
            await update.message.reply_text(render("inputs/province.j2"))
            return PROVINCE
        context.user_data["province"] = found.places[0].code
        await update.message.reply_text(render("onboarding/ask_commune.j2", **ctx_vars(update)),
                                        parse_mode=ParseMode.HTML)
        return COMMUNE

    async def commune(update, context):
        found = geo.find_commune(update.message.text, context.user_data["province"])
        if len(found.places) != 1:
            await update.message.reply_text(render("inputs/commune.j2", province=None))
            return COMMUNE
        context.user_data["commune"] = found.places[0].code
        await update.message.reply_text(render("onboarding/ask_announcements.j2", **ctx_vars(update)),
                                        parse_mode=ParseMode.HTML, reply_markup=_keyboard(yes_no.options(None), "ann"))
        return ANNOUNCE

    async def announce(update, context):
        result = yes_no.parse(update.message.text, None)
        if not isinstance(result, Ok):
            await update.message.reply_text(render("inputs/yes_no.j2"))
            return ANNOUNCE
        v = ctx_vars(update)
        await update.message.reply_text(render("onboarding/done.j2", **v), parse_mode=ParseMode.HTML)
        await update.message.reply_text(render("menu/main.j2", **v), parse_mode=ParseMode.HTML)
        return ConversationHandler.END

    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={ROLE: [CallbackQueryHandler(role)], PROVINCE: [MessageHandler(text, province)],
                COMMUNE: [MessageHandler(text, commune)], ANNOUNCE: [MessageHandler(text, announce)]},
        fallbacks=[CommandHandler("start", start)],
    )
