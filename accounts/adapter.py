"""allauth's adapter with this site's login throttle key and canonical links in emails."""

from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import get_ip
from django.conf import settings


def canonical_url(url: str, request) -> str:
    """`url` on DJANGO_SITE_URL's scheme and host when it points at this request's own host.

    allauth builds links from the request (request.build_absolute_uri), so a request sent with
    `Host: directory.example:8443` would get a password-reset link to that port; ALLOWED_HOSTS
    checks the host name only.
    """
    if not settings.SITE_URL or request is None:
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
        request = context.get("request") or self.request
        links = {
            name: canonical_url(value, request)
            for name, value in context.items()
            if isinstance(value, str) and value.startswith(("http://", "https://"))
        }
        if settings.SITE_URL:
            # allauth's mails greet with the current site's name, which is also the request's host.
            host = urlsplit(settings.SITE_URL).netloc
            links["current_site"] = SimpleNamespace(domain=host, name=host)
        super().send_mail(template_prefix, email, {**context, **links})
