"""The cooperative registry services: import, invites, officials, monthly reports, reminders, exports."""
