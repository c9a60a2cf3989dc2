"""The list of flows the bot runs; a flow not listed here is 'not built yet' to the user."""

from __future__ import annotations

from flows.announcements.flow import announcements
from flows.dashboard_login.flow import dashboard_login
from flows.eligibility.flow import eligibility
from flows.engine.dsl import Flow
from flows.faq.flow import faq
from flows.founding.flow import founding
from flows.join.flow import join
from flows.menu.flow import menu
from flows.monthly_report.flow import monthly_report
from flows.my_data.flow import my_data
from flows.officials.flow import officials
from flows.onboarding.flow import onboarding
from flows.profile.flow import profile
from flows.questions.flow import questions


def all_flows() -> list[Flow]:
    """Every flow, in no particular order."""
    return [onboarding, menu, profile, announcements, eligibility, monthly_report, join, officials, founding, faq,
            questions, dashboard_login, my_data]
