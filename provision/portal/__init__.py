"""The customer portal (SLA §4 "1.1", §6.6): a customer's traffic graphs, SLA report and open faults, read-only.

A small Flask application served by waitress (`colo portal serve`). The customer logs in
with the portal credential that also proves a phone authorization; a session shows only
that customer's contracts. Modules: `app` (routes, sessions, CSRF), `throttle` (login
lockout), `keys` (the session-signing key file), `views` (what a customer may read),
`server` (the WSGI server).
"""
