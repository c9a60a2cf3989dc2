"""Domain sub-commands of `htxbot`: each module's `register(subparsers)` adds its commands."""

from bot.commands import announcements, coops, demo, faq, officials, reports, rules

COMMANDS = [rules.register, coops.register, officials.register, reports.register, announcements.register, faq.register,
            demo.register]
