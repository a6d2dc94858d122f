"""allauth's adapter: the login throttle key, canonical links in emails, and every email through the outbox."""

from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal.ratelimit import get_ip
from django.conf import settings

from outbox.services import queue_email


def canonical_url(url: str, request) -> str:
    """`url` on DJANGO_SITE_URL's scheme and host when it points at this request's own host.

    allauth builds links from the request (request.build_absolute_uri), so a request sent with
    `Host: directory.example:8443` would get a password-reset link to that port; ALLOWED_HOSTS
    checks the host name only.
    """
    if request is None:
        return url
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or parts.netloc != request.get_host():
        return url
    site = urlsplit(settings.SITE_URL)
    return urlunsplit((site.scheme, site.netloc, site.path.rstrip("/") + parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The failed-login counter is per (account, client address), not per account alone.

        Per account alone, anyone could lock any user out with five wrong passwords; the per-IP
        limits in ACCOUNT_RATE_LIMITS["login_failed"] still stop one address guessing widely.
        """
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{get_ip(request)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The same context and rendering as allauth's own send_mail, except that links and the
        # greeting's site name come from DJANGO_SITE_URL rather than the request; and the sending:
        # the outbox sends after commit, retries, and erases the body (it holds the confirmation
        # or reset link) once sent.
        request = allauth_context.request
        links = {
            name: canonical_url(value, request)
            for name, value in context.items()
            if isinstance(value, str) and value.startswith(("http://", "https://"))
        }
        host = urlsplit(settings.SITE_URL).netloc
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                **context,
                **links,
                "current_site": SimpleNamespace(domain=host, name=host),
            },
        )
        if message.content_subtype == "html":  # only an HTML template exists for this email
            body, html_body = "", message.body
        else:
            alternatives = getattr(message, "alternatives", [])
            body = message.body
            html_body = next((content for content, mimetype in alternatives if mimetype == "text/html"), None)
        queue_email(
            to=email,
            subject=message.subject,
            body=body,
            html_body=html_body,
            kind=f"account.{template_prefix.rsplit('/', 1)[-1]}",
        )
