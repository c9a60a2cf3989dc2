"""The user's profile (/hoso)."""
