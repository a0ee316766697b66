"""The portal's web face: routes, the session cookie, CSRF tokens, login throttling, security headers.

Flask, because the services it calls are synchronous SQLAlchemy code (an async framework
would only push them to a thread pool), and because it brings what a login needs from
maintained code rather than ours: HMAC-signed session cookies (itsdangerous, here with
SHA-256) and Jinja templates that escape every value by default.

Sessions are signed cookies holding the customer's id, which credential it logged in
with (a new credential ends older sessions) and a CSRF token; they last 8 hours from
login. The cookie is HttpOnly, SameSite=Lax, and Secure whenever the request came over
TLS — which, behind a TLS-terminating proxy, the server learns from X-Forwarded-Proto
only when told to trust it (`--tls-proxy`, see server.py): a client could otherwise claim
it itself. Every form (login, logout) carries the session's CSRF token. A contract that
is not the customer's is the same 404 as one that does not exist; no page, header or
error names anything of another customer.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Response, abort, current_app, make_response, redirect, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from provision import report_html, traffic_svg
from provision.errors import BadInput
from provision.portal import views
from provision.portal.throttle import LoginThrottle
from provision.services.context import Context
from provision.services.people.authorization import PortalAccount, portal_login

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
CONTRACT_ID = re.compile(r"C\d{4}-\d{4,}")
MAX_FIELD = 256
SESSION_LIFETIME = timedelta(hours=8)
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
MESSAGES = {400: "Bad request.", 404: "No such page.", 405: "That is not how this page is used.",
            413: "The form is too large.", 500: "Something went wrong on our side: please try again later."}


@dataclass
class Portal:
    """What the application serves with: the store and clock, the cookie key, the login throttle."""

    ctx: Context
    secret_key: bytes
    throttle: LoginThrottle = field(default_factory=LoginThrottle)


class _Sessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, signed with SHA-256 and Secure whenever the request came over TLS."""

    digest_method = staticmethod(hashlib.sha256)

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure


def create_app(portal: Portal) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=portal.secret_key, SESSION_COOKIE_NAME="colo_portal", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
                      SESSION_REFRESH_EACH_REQUEST=False, MAX_CONTENT_LENGTH=16 * 1024)
    app.extensions["colo_portal"] = portal
    app.session_interface = _Sessions()
    app.add_url_rule("/login", view_func=login_form, methods=["GET"])
    app.add_url_rule("/login", view_func=login_submit, methods=["POST"], endpoint="login_submit")
    app.add_url_rule("/logout", view_func=logout, methods=["POST"])
    app.add_url_rule("/", view_func=home, methods=["GET"])
    app.add_url_rule("/contract/<contract_id>", view_func=contract, methods=["GET"])
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _error)
    return app


def _portal() -> Portal:
    return current_app.extensions["colo_portal"]  # type: ignore[no-any-return]


# --- sessions and CSRF ---------------------------------------------------------------------------------------


def _account() -> PortalAccount | None:
    """The session's customer, if its credential is still the one it logged in with."""
    customer, credential = session.get("customer"), session.get("credential")
    if not isinstance(customer, int) or not isinstance(credential, str):
        return None
    account = PortalAccount(customer, datetime.fromisoformat(credential))
    if views.still_valid(_portal().ctx, account):
        return account
    session.clear()
    return None


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run the view with the session's account; anyone else goes to the login page, whatever they asked for."""

    @functools.wraps(view)
    def guarded(**kwargs: Any) -> Any:
        account = _account()
        return redirect("/login", 303) if account is None else view(account, **kwargs)

    return guarded


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _check_csrf() -> None:
    expected, given = session.get("csrf"), request.form.get("csrf_token", "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), given.encode()):
        abort(400, "The form expired or came from another site: reload the page and try again.")


# --- login and logout ----------------------------------------------------------------------------------------


def login_form() -> Any:
    if _account() is not None:
        return redirect("/", 303)
    return _login_page(200)


def _login_page(status: int, message: str = "") -> Response:
    return _page("login.html", status, message=message, title="Log in")


def login_submit() -> Any:
    _check_csrf()
    username, password = request.form.get("username", "").strip(), request.form.get("password", "")
    if not username or not password or len(username) > MAX_FIELD or len(password) > MAX_FIELD:
        abort(400, f"Give a user name and a password, each at most {MAX_FIELD} characters.")
    portal, address = _portal(), request.remote_addr or "unknown"
    keys = (f"user:{username.lower()}", f"address:{address}")
    who = f"user {username[:64]!r} from {address}"
    wait = portal.throttle.retry_after(*keys)
    if wait is not None:
        views.record(portal.ctx, "portal.login_locked", f"{who}: refused, locked out for {wait} s more")
        return _locked(wait)
    account = portal_login(portal.ctx, username, password)
    if account is None:
        locked = portal.throttle.failed(*keys)
        views.record(portal.ctx, "portal.login_refused", f"{who}: wrong user name or password"
                     + (f"; locked out for {locked} s" if locked else ""))
        return _locked(locked) if locked else _login_page(401, "Wrong user name or password.")
    portal.throttle.succeeded(keys[0])
    views.record(portal.ctx, "portal.login", f"{who}: logged in as customer #{account.customer_id}")
    session.clear()  # a fresh session (and CSRF token) at login: a planted cookie gains nothing
    session.permanent = True
    session.update(customer=account.customer_id, credential=account.credential_set_at.isoformat(),
                   csrf=secrets.token_urlsafe(32))
    return redirect("/", 303)


def _locked(seconds: int) -> Response:
    minutes = -(-seconds // 60)
    response = _page("error.html", 429, code=429, title="Error 429",
                     message=f"Too many failed logins: try again in {minutes} minutes.")
    response.headers["Retry-After"] = str(seconds)
    return response


def logout() -> Any:
    _check_csrf()
    session.clear()
    return redirect("/login", 303)


# --- what a customer reads -----------------------------------------------------------------------------------


@signed_in
def home(account: PortalAccount) -> Response:
    data = views.home(_portal().ctx, account.customer_id)
    return _page("home.html", 200, title="Your contracts", **data)


@signed_in
def contract(account: PortalAccount, contract_id: str) -> Response:
    month = request.args.get("month")
    if month is not None and not MONTH.fullmatch(month):
        abort(400, "month must be YYYY-MM, e.g. 2026-12.")
    if not CONTRACT_ID.fullmatch(contract_id):
        abort(404)
    try:
        page = views.contract_page(_portal().ctx, account.customer_id, contract_id, month)
    except BadInput as e:
        abort(400, str(e))
    if page is None:
        abort(404)
    customer = page.traffic["customer"] or ""
    sla = report_html._timeline_legend() + report_html._contract(page.sla, customer, *page.window)
    return _page("contract.html", 200, title=f"{contract_id} {page.month}", page=page,
                 traffic=Markup(traffic_svg.sections(page.traffic, page.tz, page.now)), sla=Markup(sla))


# --- every response ------------------------------------------------------------------------------------------


def _page(template: str, status: int, **values: Any) -> Response:
    signed = isinstance(session.get("customer"), int)
    return make_response(render_template(template, csrf=csrf_token(), signed_in=signed, style=STYLE, **values), status)


def _error(e: HTTPException) -> Response:
    """One line saying what went wrong; 400s say what to fix, everything else a fixed text that names nothing."""
    code = e.code or 500
    message = e.description if code == 400 and e.description else MESSAGES.get(code, MESSAGES[500])
    response = _page("error.html", code, code=code, message=message, title=f"Error {code}")
    if code == 405 and e.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(e.valid_methods)  # type: ignore[attr-defined]
    return response


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


STYLE = Markup(report_html.STYLE + traffic_svg.STYLE + """
header { display: flex; gap: 16px; align-items: center; border-bottom: 1px solid #ccc; padding-bottom: 8px; }
header form { margin-left: auto; } .message { color: #b00; } nav.months { display: flex; gap: 16px; }
form.login label { display: block; margin: 8px 0; } form.login input { display: block; }
""")
