"""Support eligibility: programmes as dated YAML rules, evaluated in three values (Nghị định 113/2024 and local plans).

Facade for the bot and the CLI; the parts live in small modules (schema, load, logic, outcome,
questions, evaluate, size, explain, check).
"""

from flows.eligibility.check import check_all
from flows.eligibility.evaluate import Evaluation, Result, coerce_facts, evaluate
from flows.eligibility.explain import explain
from flows.eligibility.load import load_facts, load_programmes
from flows.eligibility.outcome import Outcome
from flows.eligibility.present import details, ended, summary
from flows.eligibility.questions import next_question
from flows.eligibility.size import SizeResult, size_class

__all__ = [
    "Evaluation",
    "Outcome",
    "Result",
    "SizeResult",
    "check_all",
    "coerce_facts",
    "details",
    "ended",
    "evaluate",
    "explain",
    "load_facts",
    "load_programmes",
    "next_question",
    "size_class",
    "summary",
]
