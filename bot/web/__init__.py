"""The web: the chat page (bot/channels/web.py) and the officials' dashboard (dashboard/)."""
