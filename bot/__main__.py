"""`python -m bot` is the `htxbot` command."""

from bot.cli import main

main()
