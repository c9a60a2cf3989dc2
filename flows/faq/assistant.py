"""The engine's "assistant" service: free text typed outside a flow is answered from the knowledge
base, started as the flow it asks for, or offered to an official; text typed inside a flow that
the step could not take is answered when it is a question we know (the engine then asks the step
again), and a request for another flow is offered as a button, never started over the current one.
Small talk never reaches here: the engine answers it (flows/engine/interpret.py).
"""

from __future__ import annotations

from flows.engine.answers import BEGIN
from flows.engine.content import flow_title
from flows.engine.context import Context
from flows.engine.dsl import Go
from flows.engine.messages import Button
from flows.engine.presenting import ui
from flows.engine.text import words
from flows.faq import Knowledge, Match
from flows.faq.flow import FLOW, entry_vars


def confident(match: Match) -> bool:
    """Whether a match is sure enough to start a flow or to interrupt one with (its calibrated score
    is above the knowledge base's CONFIDENT_AT; below that, only the Hỏi đáp flow answers it)."""
    return match.entry is not None and match.confident


class Assistant:
    """Answers free text with one Knowledge, loaded once per process (bot/wiring/assistant.py)."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge

    async def answer_idle(self, ctx: Context, text: str) -> str | Go | bool:
        """Text typed with no flow running: where to go, True when answered here, False to leave it
        to the engine (onboarding or the menu)."""
        match = self.knowledge.match(text)
        if confident(match) and match.is_task:
            ctx.record("faq.task", entry=match.entry.id)
            return f"flow:{match.entry.task}"
        if not ctx.profile.onboarded:
            if match.entry is None:
                return False  # a stray word: the engine introduces the bot
            # A newcomer's question is answered at once; /start introduces the bot later.
            also = [entry.title for entry in match.also]
            ctx.say("faq/answer_first.j2", also=also, **entry_vars(match.entry))
            ctx.record("faq.answered", entry=match.entry.id, onboarded=False)
            return True
        if match.entry is None and not self._worth_an_official(text):
            return False
        return Go(FLOW, {"question": text})

    async def answer_in_flow(self, ctx: Context, text: str, *, may_be_the_answer: bool = False) -> bool:
        """Text the current step could not take: a question we know is answered, a request for
        another flow offered; True when something was said (the engine asks the step again). A free
        text that may be the step's answer (a note) is only answered when it is a question."""
        asked = self.knowledge.looks_like_question(text)
        if may_be_the_answer and not asked:
            return False
        match = self.knowledge.match(text)
        if not confident(match):
            return False
        entry = match.entry
        if match.is_task and not asked and entry.task != ctx.state.flow:
            label = ui()["buttons"]["begin"].format(title=flow_title(entry.task))
            ctx.say("common/offer_flow.j2", buttons=[Button(f"{BEGIN}{entry.task}", label)],
                    title=flow_title(entry.task), current=flow_title(ctx.state.flow))
            ctx.record("faq.task_offered", entry=entry.id, during=ctx.state.flow)
            return True
        if not asked:
            return False
        ctx.say("faq/in_flow.j2", title=flow_title(ctx.state.flow), **entry_vars(entry))
        ctx.record("faq.answered", entry=entry.id, during=ctx.state.flow)
        return True

    def _worth_an_official(self, text: str) -> bool:
        """A question, or a few words: worth offering to an official (a lone word is not)."""
        return len(words(text)) >= 2 or self.knowledge.looks_like_question(text)
