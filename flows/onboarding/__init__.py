"""The first conversation: role, place, announcements."""
