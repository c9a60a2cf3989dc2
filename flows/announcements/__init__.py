"""Announcements from officials to users: audiences, the durable outbox and rate-limited delivery workers.

audience (who, within the author's scope), outbox (enqueue, cancel, progress, history), claims (the
outbox as a work queue), ratelimit (token buckets), worker (the delivery loop), views (the texts).
"""
