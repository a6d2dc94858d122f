from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.models import UNCONFIRMED_ACCOUNT_KEPT
from appointments.models import HEALTH_ANSWERS_KEPT
from directory.lib import ratelimit
from directory.lib.cache import cache_public_page
from privacy import services
from privacy.erasure import ALREADY_ERASED, erase_account, plan_erasure
from privacy.forms import DeleteAccountForm
from privacy.models import EXPORT_LINK_VALID, DataExport
from reviews import rules as review_rules

EXPORT_LIMIT_MESSAGE = (
    "You have asked for your data several times today. To keep the site responsive for everyone, "
    "please wait until tomorrow, or download the archive you already asked for."
)
DELETE_LIMIT_MESSAGE = (
    "Too many attempts to delete this account. Nothing was deleted. Please wait an hour and try again."
)


def retention_periods() -> dict:
    """Every period the privacy page states, read from the constants the jobs enforce."""
    return {
        "unconfirmed_days": UNCONFIRMED_ACCOUNT_KEPT.days,
        "health_answers_days": HEALTH_ANSWERS_KEPT.days,
        "removed_reviews_months": review_rules.RETENTION_MONTHS,
        "export_days": EXPORT_LINK_VALID.days,
        "sent_email_days": settings.OUTBOX_KEEP_DAYS,
    }


@require_safe
@cache_public_page
def privacy_policy(request):
    context = {
        "retention": retention_periods(),
        "operator": settings.SITE_OPERATOR,
        "former_client": review_rules.FORMER_CLIENT_NAME,
        "map_tiles_host": settings.MAP_TILE_ORIGIN.removeprefix("https://"),
    }
    return render(request, "privacy/policy.html", context)


@require_safe
@cache_public_page
def imprint(request):
    return render(request, "privacy/imprint.html", {"operator": settings.SITE_OPERATOR})


@login_required
@never_cache
def your_data(request):
    """The account's data page: ask for an archive, see whether it is ready, and the way to delete."""
    if request.method == "POST":
        if not ratelimit.hit(f"data-export:{request.user.pk}", settings.DATA_EXPORT_RATE_LIMIT):
            return render(request, "429.html", {"message": EXPORT_LIMIT_MESSAGE}, status=429)
        try:
            services.request_export(user=request.user)
        except ValidationError as error:
            messages.info(request, error.messages[0])
        else:
            messages.success(
                request, "We are preparing your archive. We will email you when it is ready to download here."
            )
        return redirect("privacy:data")
    now = timezone.now()
    latest = DataExport.objects.of(request.user).first()
    context = {"latest": latest, "downloadable": latest is not None and latest.is_downloadable(now)}
    context["retention"] = retention_periods()
    context["operator"] = settings.SITE_OPERATOR
    return render(request, "privacy/data.html", context)


@login_required
@require_safe
def download_export(request, public_id):
    """The archive, once, to its owner only: anyone else's link is a 404, a used or expired one a 410."""
    export = get_object_or_404(DataExport.objects.of(request.user), public_id=public_id)
    try:
        handle = services.open_download(export=export)
    except ValidationError as error:
        return render(request, "privacy/link_used.html", {"message": error.messages[0]}, status=410)
    filename = f"qualified-touch-data-{timezone.localdate():%Y-%m-%d}.zip"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/zip")
    # Whatever a browser makes of it, it renders nothing with this site's origin, cookies or forms
    # (django-csp leaves a response's own policy alone).
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; frame-ancestors 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def delete_account(request):
    """Confirm with the password, choose what becomes of the reviews, and the account is erased at once."""
    if not request.user.is_authenticated:
        # Also where the second click of a double-submitted deletion lands when the first one
        # already logged the browser out: to the login, with nothing left to delete.
        return redirect_to_login(request.get_full_path())
    plan = plan_erasure(request.user)
    form = DeleteAccountForm(request.POST or None, user=request.user, review_count=len(plan.reviews))
    if request.method == "POST":
        if not ratelimit.hit(f"account-delete:{request.user.pk}", settings.ACCOUNT_DELETE_RATE_LIMIT):
            return render(request, "429.html", {"message": DELETE_LIMIT_MESSAGE}, status=429)
        if form.is_valid():
            try:
                erase_account(user=request.user, keep_reviews=form.keep_reviews)
            except ValidationError:
                # A second submit that waited for the first one's lock: the account is gone already.
                logout(request)
                return render(request, "privacy/deleted.html", {"message": ALREADY_ERASED})
            logout(request)
            return redirect("privacy:deleted")
    context = {
        "plan": plan,
        "form": form,
        "retention": retention_periods(),
        "former_client": review_rules.FORMER_CLIENT_NAME,
    }
    return render(request, "privacy/delete.html", context)


@require_safe
def account_deleted(request):
    return render(request, "privacy/deleted.html", {})
