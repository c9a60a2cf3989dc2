"""The one Jinja2 environment (StrictUndefined, HTML autoescape) and the YAML knowledge loader.

Templates live in content/templates/<flow>/<step>.j2 and produce Telegram's HTML subset
(<b>, <i>, <u>, <code>, <a href>); channels without formatting strip it (bot/channels/render.py).
A channel may override a message by name: content/templates/<channel>/<flow>/<step>.j2.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from flows.engine.files import CONTENT_DIR, TEMPLATE_DIR, load_yaml  # noqa: F401 (re-exported)
from flows.engine.formatting import date, number, vnd


class _Environment(Environment):
    """Templates see the globals as one plain dict, fixed once the environment is made (Jinja's
    default chains two maps, read in Python on every render: a tenth of a message's time)."""

    def make_globals(self, d: Any = None) -> Any:
        return {**self.globals, **(d or {})}


@functools.cache
def environment() -> Environment:
    """The shared Jinja environment; undefined variables are errors, user text is escaped."""
    env = _Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates do not change while the bot runs; no stat() per message
    )
    from flows.engine.law import cite, format_citation  # legal citations (content/law/texts.yaml)

    env.filters.update(vnd=vnd, number=number, date=date, citation=format_citation)
    env.globals.update(cite=cite)
    return env


@functools.lru_cache(maxsize=4096)
def _template(name: str, channel: str | None):
    names = [f"{channel}/{name}", name] if channel else [name]
    return environment().select_template(names)


def render(name: str, /, _channel: str | None = None, **context: Any) -> str:
    """Render a template by name (e.g. 'onboarding/ask_role.j2'), preferring the channel's override."""
    return _template(name, _channel).render(**context).strip()


def template_exists(name: str) -> bool:
    """Whether a template file exists under content/templates."""
    return (TEMPLATE_DIR / name).is_file()


def flow_title(name: str | None) -> str:
    """A flow's Vietnamese title from content/flows.yaml."""
    return load_yaml("flows.yaml").get(name or "", {}).get("title", name or "")


