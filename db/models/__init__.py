"""Every model, imported so that Base.metadata knows all tables (Alembic and tests use it)."""

from db.models.core import AuditLog, Conversation, User
from db.models.eligibility import EligibilityCheck
from db.models.founding import FoundingPlan
from db.models.inbox import InboxItem
from db.models.mailbox import WebMessage
from db.models.outbox import Announcement, Delivery
from db.models.privacy import Consent, JobRun
from db.models.questions import Question
from db.models.registry import (
    CodeAttempt,
    Cooperative,
    InviteCode,
    MonthlyReport,
    Official,
    ReminderSent,
    Reporter,
)
from db.models.web import ActionKey, LoginToken, WebSession
from db.models.zalo import OAContact, OAQuota, OAToken

__all__ = [
    "ActionKey", "Announcement", "AuditLog", "CodeAttempt", "Consent", "Conversation", "Cooperative", "Delivery", "EligibilityCheck", "FoundingPlan", "InboxItem", "InviteCode", "JobRun", "LoginToken",
    "MonthlyReport", "OAContact", "OAQuota", "OAToken", "Official", "Question", "ReminderSent", "Reporter", "User", "WebMessage", "WebSession",
]
