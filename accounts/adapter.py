"""allauth's account emails (confirmation, password reset, notices) go through the outbox like every other email."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from outbox.services import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The same context and rendering as allauth's own send_mail; only the sending differs: the
        # outbox sends after commit, retries, and erases the body (it holds the confirmation or
        # reset link) once sent.
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
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
