"""Announcements from officials to users: audiences, the durable outbox and rate-limited delivery workers.

Public API: audience.count / condition / KINDS; outbox.create_announcement / cancel / progress /
history; worker.Worker (run_until_idle, run_forever); ratelimit.Limits; views.* for the texts.
"""
