"""The therapist's own place: profile, photo, credentials, score advice and reviews.

Every object comes through `request.user` (`_own_therapist`, `_own_credential`): an id in the URL
only ever picks among the user's own rows, so someone else's id is a 404.
"""

from datetime import timedelta

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from directory.lib import ratelimit
from therapists import credentials, photos, services
from therapists.charts import score_history_chart
from therapists.documents import content_type_for
from therapists.forms import CreateProfileForm, CredentialForm, OpeningHoursForm, PhotoForm, ProfileForm
from therapists.models import Credential, PhotoUpload, Therapist
from therapists.scores import score_inputs
from therapists.scoring import next_steps

LATEST_REVIEWS = 10


def _own_therapist(request) -> Therapist:
    return get_object_or_404(Therapist.objects.owned_by(request.user))


def _own_credential(request, pk: int) -> Credential:
    return get_object_or_404(Credential.objects.filter(therapist__user=request.user).select_related("therapist"), pk=pk)


def _report(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


HISTORY_DAYS = 365


def _score_history(therapist: Therapist):
    """The last year of the score and what moved it: credentials verified, reviews published."""
    today = timezone.localdate()
    start = today - timedelta(days=HISTORY_DAYS)
    earlier = therapist.score_history.filter(day__lt=start).order_by("-day").values_list("day", "score")[:1]
    snapshots = [*earlier, *therapist.score_history.filter(day__gte=start).values_list("day", "score")]
    verified = therapist.credentials.filter(
        status__in=[Credential.Status.VERIFIED, Credential.Status.EXPIRED], decided_at__date__gte=start
    ).values_list("decided_at", "title")
    published = therapist.reviews.published().filter(created_at__date__gte=start).values_list("created_at", "rating")
    events = sorted(
        [(timezone.localdate(at), f"Verified: {title}") for at, title in verified]
        + [(timezone.localdate(at), f"Review published ({rating}★)") for at, rating in published]
    )
    return {
        "chart": score_history_chart(sorted(snapshots), events, today=today, days=HISTORY_DAYS),
        "events": events[-10:][::-1],
    }


@login_required
def home(request):
    therapist = Therapist.objects.owned_by(request.user).first()
    if therapist is None:
        return render(
            request,
            "therapists/dashboard/start.html",
            {"form": CreateProfileForm(), "email_confirmed": request.user.has_confirmed_address()},
        )
    context = {
        "therapist": therapist,
        "missing": therapist.list_missing_for_publication(),
        "score_items": therapist.score_breakdown,
        "next_steps": next_steps(score_inputs(therapist=therapist)),
        "history": _score_history(therapist),
        "credentials": therapist.credentials.select_related("modality").order_by("-submitted_at", "-pk"),
        # Through the related manager: the therapists app reads reviews without importing the layer above.
        "reviews": therapist.reviews.published().select_related("reply").newest_first()[:LATEST_REVIEWS],
        "email_confirmed": request.user.has_confirmed_address(),
        "photo_upload": _photo_upload(therapist),
    }
    return render(request, "therapists/dashboard/home.html", context)


@login_required
@require_POST
def create_profile(request):
    form = CreateProfileForm(request.POST)
    if form.is_valid():
        try:
            services.create_profile(user=request.user, display_name=form.cleaned_data["display_name"])
        except ValidationError as error:
            _report(request, error)
            return redirect("dashboard:home")
        messages.success(request, "Your profile is created as a draft. Fill it in, then publish it.")
        return redirect("dashboard:edit_profile")
    return render(
        request,
        "therapists/dashboard/start.html",
        {"form": form, "email_confirmed": request.user.has_confirmed_address()},
    )


UPLOAD_LIMIT_MESSAGE = (
    "You have uploaded many files in a short time. Each one is checked carefully, so please wait "
    "a while (at most an hour) and try again."
)


def _upload_refused(request):
    """A 429 page when this user has sent too many files lately, else None.

    Every photo and document is decoded or parsed, which costs seconds of a worker; the count is
    per user in the shared cache (UPLOAD_RATE_LIMIT), so it holds across workers.
    """
    if request.method != "POST" or not request.FILES:
        return None
    if ratelimit.hit(f"upload:{request.user.pk}", settings.UPLOAD_RATE_LIMIT):
        return None
    return render(request, "429.html", {"message": UPLOAD_LIMIT_MESSAGE}, status=429)


def _bound(request) -> tuple:
    """Form arguments: bound on every POST, even an empty one, so a missing field is an error
    shown on the form (`request.POST or None` would leave an empty POST unbound and silent)."""
    return (request.POST, request.FILES) if request.method == "POST" else ()


@login_required
def edit_profile(request):
    therapist = _own_therapist(request)
    form = ProfileForm(*_bound(request), instance=therapist)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(therapist=therapist, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("dashboard:home")
    return render(request, "therapists/dashboard/profile_form.html", {"therapist": therapist, "form": form})


@login_required
def opening_hours(request):
    therapist = get_object_or_404(Therapist.objects.owned_by(request.user).prefetch_related("opening_hours"))
    form = OpeningHoursForm(*_bound(request), therapist=therapist)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_opening_hours(
                therapist=therapist,
                rows=form.rows,
                accepts_appointment_requests=form.cleaned_data["accepts_appointment_requests"],
                appointment_minutes=form.cleaned_data["appointment_minutes"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your opening hours are saved.")
            return redirect("dashboard:home")
    return render(request, "therapists/dashboard/opening_hours_form.html", {"therapist": therapist, "form": form})


@login_required
@require_POST
def publish_profile(request):
    therapist = _own_therapist(request)
    try:
        services.publish_profile(therapist=therapist)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, "Your profile is published: clients can now find you.")
    return redirect("dashboard:home")


@login_required
@require_POST
def unpublish_profile(request):
    therapist = _own_therapist(request)
    try:
        services.unpublish_profile(therapist=therapist)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, "Your profile is back to draft: clients no longer see it.")
    return redirect("dashboard:home")


@login_required
def photo(request):
    therapist = _own_therapist(request)
    if refused := _upload_refused(request):
        return refused
    form = PhotoForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        photos.receive_photo(therapist=therapist, upload=form.cleaned_data["photo"])
        messages.success(request, "Your new photo is uploaded. It replaces the current one as soon as it is ready.")
        return redirect("dashboard:home")
    context = {"therapist": therapist, "form": form, "photo_upload": _photo_upload(therapist)}
    return render(request, "therapists/dashboard/photo_form.html", context)


def _photo_upload(therapist):
    """The upload still being resized, or the last one the worker refused (with its reason)."""
    return PhotoUpload.objects.filter(therapist=therapist).first()


@login_required
def submit_credential(request):
    therapist = _own_therapist(request)
    if refused := _upload_refused(request):
        return refused
    form = CredentialForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        credentials.submit_credential(
            therapist=therapist,
            data=form.cleaned_data,
            document=form.document_content,
            extension=form.document_extension,
        )
        messages.success(request, "Thank you. Your credential is waiting for a moderator to verify it.")
        return redirect("dashboard:home")
    return render(request, "therapists/dashboard/credential_form.html", {"therapist": therapist, "form": form})


@login_required
def edit_credential(request, pk):
    credential = _own_credential(request, pk)
    if refused := _upload_refused(request):
        return refused
    was_verified = credential.status == Credential.Status.VERIFIED
    form = CredentialForm(*_bound(request), instance=credential)
    if request.method == "POST" and form.is_valid():
        new_document = form.document_content if form.document_extension else None
        updated = credentials.update_credential(
            credential=credential, data=form.cleaned_data, document=new_document, extension=form.document_extension
        )
        if was_verified and updated.status == Credential.Status.PENDING:
            messages.success(request, "Saved. A moderator will verify the changed credential again.")
        else:
            messages.success(request, "Your credential is saved.")
        return redirect("dashboard:home")
    return render(
        request,
        "therapists/dashboard/credential_form.html",
        {"therapist": credential.therapist, "form": form, "credential": credential},
    )


@login_required
@require_POST
def withdraw_credential(request, pk):
    credential = _own_credential(request, pk)
    try:
        credentials.withdraw_credential(credential=credential)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, f"“{credential.title}” is withdrawn.")
    return redirect("dashboard:home")


@login_required
@require_POST
def resubmit_credential(request, pk):
    credential = _own_credential(request, pk)
    try:
        credentials.resubmit_credential(credential=credential)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, f"“{credential.title}” is back in the verification queue.")
    return redirect("dashboard:home")


@login_required
# The moderation queue shows the document inline in a same-origin frame; every other page stays
# unframeable (X-Frame-Options DENY, frame-ancestors 'none').
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def credential_document(request, pk):
    """Stream a private credential document to its owner or a moderator; 404 for anyone else."""
    credentials = Credential.objects.all()
    if not request.user.is_moderator:
        credentials = credentials.filter(therapist__user=request.user)
    credential = get_object_or_404(credentials, pk=pk)
    if not credential.document:
        raise Http404("This credential has no document.")
    try:
        handle = credential.document.open("rb")
    except FileNotFoundError:
        raise Http404("This document is missing.") from None
    content_type = content_type_for(credential.document.name)
    response = FileResponse(handle, content_type=content_type)
    # inline: view in the browser; the file name is made here, never the uploader's; nosniff: never
    # guess another type. sandbox: even if a document did hold script or HTML, it runs in an opaque
    # origin with no access to this site's cookies, pages or forms.
    extension = credential.document.name.rsplit(".", 1)[-1].lower()
    response["Content-Disposition"] = f'inline; filename="credential-{credential.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    # The whole policy (django-csp leaves a response's own header alone): framed by this site only.
    response["Content-Security-Policy"] = "sandbox; frame-ancestors 'self'"
    response["Cache-Control"] = "private, no-store"
    return response
