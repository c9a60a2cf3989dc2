"""Installers: each adds one feature's services, routes, senders and jobs to the App."""
