"""The officials' web dashboard under /quan-ly/: sign-in by one-time link, pages within the official's scope.

signin and auth (links, sessions, cookies), csrf (form tokens), views (the shared page frame and
parameters), pages (compliance, trends, needs, founding funnel), followups (eligibility checks,
open questions), coops (list and history), announce (compose, preview, send, progress, history),
exports (CSV, XLSX), charts (SVG geometry), routes (the route table the installer adds).
"""
