"""The engine's "assistant" service: free text typed outside a flow is answered from the knowledge
base, started as the flow it asks for, or offered to an official; a clear question typed inside
a flow (one the step could not parse) is answered before the engine repeats the step.
"""

from __future__ import annotations

from flows.engine.content import flow_title
from flows.engine.context import Context
from flows.engine.dsl import Go
from flows.engine.text import words
from flows.faq import Knowledge
from flows.faq.flow import FLOW, entry_vars


class Assistant:
    """Answers free text with one Knowledge, loaded once per process (bot/wiring/assistant.py)."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge

    async def answer_idle(self, ctx: Context, text: str) -> str | Go | bool:
        """Text typed with no flow running: where to go, True when answered here, False to leave it
        to the engine (onboarding or the menu)."""
        match = self.knowledge.match(text)
        if match.entry is not None and match.is_task:
            ctx.record("faq.task", entry=match.entry.id)
            return f"flow:{match.entry.task}"
        if not ctx.profile.onboarded:
            if match.entry is None:
                return False  # a greeting or a stray word: the engine introduces the bot
            # A newcomer's question is answered at once; /start introduces the bot later.
            also = [entry.title for entry in match.also]
            ctx.say("faq/answer_first.j2", also=also, **entry_vars(match.entry))
            ctx.record("faq.answered", entry=match.entry.id, onboarded=False)
            return True
        if match.entry is None and not self._worth_an_official(text):
            return False
        return Go(FLOW, {"question": text})

    async def answer_in_flow(self, ctx: Context, text: str) -> bool:
        """Text the current step could not parse: answer it only when it is clearly a question we know."""
        if not self.knowledge.looks_like_question(text):
            return False
        match = self.knowledge.match(text)
        if match.entry is None:
            return False
        ctx.say("faq/in_flow.j2", title=flow_title(ctx.state.flow), **entry_vars(match.entry))
        ctx.record("faq.answered", entry=match.entry.id, during=ctx.state.flow)
        return True

    def _worth_an_official(self, text: str) -> bool:
        """A question, or a few words: worth offering to an official (a lone "ok" is not)."""
        return len(words(text)) >= 2 or self.knowledge.looks_like_question(text)
