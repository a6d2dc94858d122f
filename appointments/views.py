"""The client's pages: request an appointment on a profile, and My appointments.

Requests are fetched through request.user (`_own_request`): someone else's id is a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from appointments import clock, services
from appointments.forms import RequestForm
from appointments.invitations import invitation_token
from appointments.models import AppointmentRequest, HealthAnswers
from directory.lib import ratelimit
from therapists.models import Therapist

# Form submissions (valid or not) per client and hour, in the shared cache.
REQUEST_FORM_RATE = "60/h"


def _refuse(request, *, title: str, message: str, therapist: Therapist, status: int = 403):
    return render(
        request, "appointments/refused.html", {"title": title, "message": message, "therapist": therapist},
        status=status,
    )


def _report(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@sensitive_post_parameters(*HealthAnswers.QUESTIONS)
def request_appointment(request, slug):
    therapist = get_object_or_404(Therapist.objects.published().prefetch_related("opening_hours"), slug=slug)
    if therapist.user_id == request.user.pk:
        return _refuse(
            request, title="This is your own profile", therapist=therapist,
            message="You cannot request an appointment with yourself.",
        )
    if not therapist.takes_appointment_requests:
        return _refuse(
            request, title="Not taking requests", therapist=therapist,
            message=f"{therapist.display_name} is not taking appointment requests through the site. "
            "The profile lists other ways to get in touch.",
        )
    if not request.user.has_confirmed_address():
        return _refuse(
            request, title="Please confirm your email address", therapist=therapist,
            message="Before you request an appointment, please confirm your email address with the link we sent you.",
        )
    now = clock.now()
    form = RequestForm(request.POST if request.method == "POST" else None, therapist=therapist, now=now)
    context = {
        "therapist": therapist,
        "form": form,
        "needs_advice": False,
        "open_limit": settings.APPOINTMENT_OPEN_REQUEST_LIMIT,
    }
    if request.method == "POST":
        if not ratelimit.hit(f"appointment-form:{request.user.pk}", REQUEST_FORM_RATE):
            messages.error(request, "You have sent this form very often. Please wait a while and try again.")
            return render(request, "appointments/request_form.html", context, status=429)
        if form.is_valid():
            if form.says_yes and not form.cleaned_data["advice_read"]:
                # A "yes" first shows the advice; the client can still send (DESIGN.md, "Safety").
                context["needs_advice"] = True
                data = request.POST.copy()
                data["advice_read"] = "True"
                context["form"] = RequestForm(data, therapist=therapist, now=now)
                context["form"].is_valid()
                return render(request, "appointments/request_form.html", context)
            try:
                services.request_appointment(
                    client=request.user,
                    therapist=therapist,
                    modality=form.cleaned_data["modality"],
                    starts=form.starts(),
                    message=form.cleaned_data["message"],
                    answers=form.answers(),
                    now=now,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"Your request is sent. {therapist.display_name} will answer by email and here."
                )
                return redirect("appointments:mine")
    return render(request, "appointments/request_form.html", context)


def _own_request(request, pk: int) -> AppointmentRequest:
    return get_object_or_404(
        AppointmentRequest.objects.sent_by(request.user).select_related("therapist", "appointment"), pk=pk
    )


@login_required
def mine(request):
    now = clock.now()
    requests = list(
        AppointmentRequest.objects.sent_by(request.user)
        .select_related("therapist", "modality", "appointment")
        .prefetch_related("proposed_times")
    )
    rows = []
    for appointment_request in requests:
        appointment = getattr(appointment_request, "appointment", None)
        invitation = None
        invitable = appointment is not None and appointment.invited_at and not appointment.invitation_used_at
        if invitable and now <= appointment.invitation_expires_at():
            invitation = invitation_token(appointment)
        rows.append(
            {
                "request": appointment_request,
                "appointment": appointment,
                "can_cancel": appointment is not None and appointment.can_be_cancelled(now),
                "invitation": invitation,
            }
        )
    return render(request, "appointments/mine.html", {"rows": rows, "now": now})


def _perform(request, service, *, success: str, **arguments) -> None:
    """Call a service; its refusal becomes the error messages, anything else the success message."""
    try:
        service(**arguments)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, success)


@login_required
@require_POST
def withdraw(request, pk):
    appointment_request = _own_request(request, pk)
    _perform(
        request, services.cancel_request, appointment_request=appointment_request, client=request.user,
        success=f"Your request to {appointment_request.therapist.display_name} is withdrawn.",
    )
    return redirect("appointments:mine")


@login_required
@require_POST
def accept_proposal(request, pk):
    _perform(
        request, services.accept_proposal, appointment_request=_own_request(request, pk), client=request.user,
        success="Your appointment is booked. We have emailed you the details and a calendar file.",
    )
    return redirect("appointments:mine")


@login_required
@require_POST
def cancel(request, pk):
    appointment = getattr(_own_request(request, pk), "appointment", None)
    if appointment is None:
        messages.error(request, "This request has no appointment to cancel.")
        return redirect("appointments:mine")
    _perform(
        request, services.cancel_appointment, appointment=appointment, user=request.user,
        reason=request.POST.get("reason", "")[:1000], success="Your appointment is cancelled; the therapist is told.",
    )
    return redirect("appointments:mine")
