"""The vocabulary flows are declared in: a Flow is a list of Ask, Show and Do steps.

Only callbacks are functions; everything a user reads comes from the templates a step names.
`next` is a step id of the same flow, "flow:<name>" to hand over to another flow, END to stop,
or a function of the context returning one of those.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flows.engine.inputs import Kind

END = "end"  # the flow is over
AGAIN = "@again"  # stay where the user is: ask the current question again, if there is one
UNKNOWN = "@unknown"  # answer as to a command nobody knows (gates use it, so outsiders learn nothing)
Next = str | Callable[[Any], str | None] | None
Allowed = Callable[[Any], Awaitable[bool]]
Getter = Callable[[Any], Awaitable[dict[str, Any]] | dict[str, Any]]


@dataclass(frozen=True)
class On:
    """A move declared as data: go by the saved value of one answer.

    `On("looks", {"edit": Step.TEXT}, otherwise=Step.AUDIENCE)` goes to TEXT when the answer
    "looks" is "edit", else to AUDIENCE (None: the step declared after this one).
    """

    key: str
    cases: Mapping[Any, str]
    otherwise: str | None = None

    def __call__(self, ctx: Any) -> str | None:
        return self.cases.get(ctx.answers.get(self.key), self.otherwise)


@dataclass(frozen=True)
class Ask:
    """A question: render `prompt`, parse the answer with `input`, save it under `save_as`."""

    id: str
    prompt: str
    input: Kind
    save_as: str | None = None
    next: Next = None
    when: Callable[[Any], bool] | None = None  # the step is passed over when this is false
    optional: bool = True  # every question can be skipped unless a flow says otherwise
    help: str | None = None
    getter: Getter | None = None  # extra template variables
    check: Callable[[Any, Any], Awaitable[str | None] | str | None] | None = None  # returns a hint template to refuse
    scratch: bool = False  # the answer is a working note of the flow (Flow.scratch), not one of the user's answers

    @property
    def key(self) -> str:
        return self.save_as or self.id

    def saved_in(self, state: Any) -> dict[str, Any]:
        """Where this question's answer is kept: the user's answers, or the flow's scratch."""
        return state.scratch if self.scratch else state.answers


@dataclass(frozen=True)
class Show:
    """A message with no question; the flow goes on to `next` at once."""

    id: str
    template: str
    getter: Getter | None = None
    next: Next = None
    when: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class Do:
    """A side effect (save a profile, record an event); may return where to go next."""

    id: str
    run: Callable[[Any], Awaitable[str | None]]
    next: Next = None
    when: Callable[[Any], bool] | None = None


Step = Ask | Show | Do


@dataclass(frozen=True)
class Command:
    """A slash command a flow answers in every state (e.g. /tiendo, /thamgia CODE)."""

    name: str
    run: Callable[[Any, str], Awaitable[str | None]]  # (ctx, argument text) -> where to go, or None
    allowed: Allowed | None = None  # who may use it; others are answered as for an unknown command


@dataclass
class Flow:
    """A named conversation: its steps in order, and the commands it brings (titles: content/flows.yaml)."""

    name: str
    steps: Sequence[Step]
    commands: Sequence[Command] = ()
    free_text_is_idle: bool = False  # text that is no answer here is handled as if no flow ran (the menu)
    start: Callable[[Any], Awaitable[str | Go | None]] | None = None  # prepares answers; may redirect
    allowed: Allowed | None = None  # who may enter the flow; see Command.allowed
    scratch: Sequence[str] = ()  # names of the working notes it keeps between steps (ctx.scratch), apart
    # from the user's answers; rows saved before 2026-11-27 kept them in answers as "_<name>"
    _index: dict[str, Step] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {s.id: s for s in self.steps}
        if len(self._index) != len(self.steps):
            raise ValueError(f"flow {self.name}: duplicate step ids")

    def adopt_scratch(self, answers: dict[str, Any], scratch: dict[str, Any]) -> None:
        """Move this flow's working notes saved the old way ("_<name>" in answers) into scratch."""
        for name in self.scratch:
            if f"_{name}" in answers:
                scratch.setdefault(name, answers.pop(f"_{name}"))

    def step(self, step_id: str) -> Step | None:
        """The step with this id, or None (a step removed since the state was saved)."""
        return self._index.get(step_id)

    def after(self, step_id: str) -> str:
        """The id of the step declared after this one, or END."""
        ids = [s.id for s in self.steps]
        i = ids.index(step_id)
        return ids[i + 1] if i + 1 < len(ids) else END

    @property
    def first(self) -> str:
        return self.steps[0].id


@dataclass(frozen=True)
class Go:
    """Start a flow with some answers already given (e.g. the question that opened the FAQ flow)."""

    flow: str
    answers: dict[str, Any] = field(default_factory=dict)


class FlowSet:
    """The flows one bot runs, by name, and the slash commands they bring."""

    def __init__(self, flows: Sequence[Flow]) -> None:
        self._flows = {f.name: f for f in flows}
        if len(self._flows) != len(flows):
            raise ValueError("two flows share a name")
        self.commands: dict[str, tuple[Flow, Command]] = {}
        for flow in flows:
            for cmd in flow.commands:
                if cmd.name in self.commands:
                    raise ValueError(f"command /{cmd.name} is declared twice")
                self.commands[cmd.name] = (flow, cmd)

    def __contains__(self, name: object) -> bool:
        return name in self._flows

    def __getitem__(self, name: str) -> Flow:
        return self._flows[name]

    def __iter__(self):
        return iter(self._flows.values())

    def get(self, name: str | None) -> Flow | None:
        return self._flows.get(name or "")
