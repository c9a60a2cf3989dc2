"""Every model, imported so that Base.metadata knows all tables (Alembic and tests use it)."""

from db.models.core import AuditLog, Conversation, User

__all__ = ["AuditLog", "Conversation", "User"]
