"""Channels (Telegram, Zalo, web, terminal), settings, the command line and app wiring."""
