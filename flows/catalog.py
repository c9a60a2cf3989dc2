"""The list of flows the bot runs; a flow not listed here is 'not built yet' to the user."""

from __future__ import annotations

from flows.announce import announcements
from flows.dashboard_login import dashboard_login
from flows.dsl import Flow
from flows.eligibility.flow import eligibility
from flows.faq.flow import faq
from flows.founding.flow import founding
from flows.join import join
from flows.menu import menu
from flows.monthly import monthly_report
from flows.officials import officials
from flows.onboarding import onboarding
from flows.profile import profile
from flows.questions import questions


def all_flows() -> list[Flow]:
    """Every flow, in no particular order."""
    return [onboarding, menu, profile, announcements, eligibility, monthly_report, join, officials, founding, faq, questions, dashboard_login]
