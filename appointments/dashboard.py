"""The therapist's side in /dashboard/: the requests inbox, and marking visits attended or no-show.

Everything comes through request.user (`_own_request`, `_own_appointment`): another therapist's id
is a 404, and so the health answers of a request are only ever shown to the therapist it was sent to.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from appointments import clock, services
from appointments.forms import DeclineForm, ProposeTimeForm
from appointments.models import Appointment, AppointmentRequest, ProposedTime
from directory.lib.forms import is_row_id
from therapists.models import Therapist

INBOX_PAGE_SIZE = 20


def _own_therapist(request) -> Therapist:
    return get_object_or_404(Therapist.objects.owned_by(request.user))


def _own_request(request, pk: int) -> AppointmentRequest:
    return get_object_or_404(
        AppointmentRequest.objects.filter(therapist__user=request.user).select_related("therapist"), pk=pk
    )


def _own_appointment(request, pk: int) -> Appointment:
    appointments = Appointment.objects.filter(therapist__user=request.user).select_related("therapist")
    return get_object_or_404(appointments, pk=pk)


def _report(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _perform(request, service, *, success: str, **arguments) -> None:
    """Call a service; its refusal becomes the error messages, anything else the success message."""
    try:
        service(**arguments)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, success)


@login_required
def inbox(request):
    therapist = _own_therapist(request)
    now = clock.now()
    waiting = AppointmentRequest.objects.sent_to(therapist).open().for_inbox().order_by("created_at", "pk")
    page = Paginator(waiting, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    appointments = Appointment.objects.of_therapist(therapist).select_related("client", "modality")
    context = {
        "therapist": therapist,
        "page": page,
        "now": now,
        "upcoming": appointments.upcoming(now)[:50],
        "to_mark": appointments.to_mark(now).order_by("-ends_at"),
        "propose_form": ProposeTimeForm(therapist=therapist),
        "decline_form": DeclineForm(),
    }
    return render(request, "appointments/dashboard/inbox.html", context)


def _back_to_inbox(request):
    return redirect("appointments_dashboard:inbox")


@login_required
@require_POST
def accept(request, pk):
    appointment_request = _own_request(request, pk)
    time_id = request.POST.get("time", "")
    proposed_time = (
        ProposedTime.objects.filter(request=appointment_request, pk=time_id).first() if is_row_id(time_id) else None
    )
    if proposed_time is None:
        messages.error(request, "Choose one of the times the client proposed.")
        return _back_to_inbox(request)
    try:
        appointment = services.accept_request(
            appointment_request=appointment_request, therapist_user=request.user, proposed_time=proposed_time
        )
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            f"Accepted: {services.describe(appointment.starts_at, appointment_request.therapist)}. "
            "The client gets the confirmation and a calendar file.",
        )
    return _back_to_inbox(request)


@login_required
@require_POST
def propose(request, pk):
    appointment_request = _own_request(request, pk)
    form = ProposeTimeForm(request.POST, therapist=appointment_request.therapist)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _back_to_inbox(request)
    try:
        services.propose_time(
            appointment_request=appointment_request,
            therapist_user=request.user,
            starts_at=form.cleaned_data["starts_at"],
        )
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, "Your proposal is sent; the client can accept it or withdraw the request.")
    return _back_to_inbox(request)


@login_required
@require_POST
def decline(request, pk):
    appointment_request = _own_request(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please give the client a reason for declining.")
        return _back_to_inbox(request)
    try:
        services.decline_request(
            appointment_request=appointment_request, therapist_user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, "The request is declined; the client gets your reason by email.")
    return _back_to_inbox(request)


@login_required
@require_POST
def mark_attended(request, pk):
    _perform(
        request, services.mark_attended, appointment=_own_appointment(request, pk), therapist_user=request.user,
        success="Marked attended. The client is invited to review the visit.",
    )
    return _back_to_inbox(request)


@login_required
@require_POST
def mark_no_show(request, pk):
    _perform(
        request, services.mark_no_show, appointment=_own_appointment(request, pk), therapist_user=request.user,
        success="Marked as a no-show.",
    )
    return _back_to_inbox(request)


@login_required
@require_POST
def cancel(request, pk):
    _perform(
        request, services.cancel_appointment, appointment=_own_appointment(request, pk), user=request.user,
        reason=request.POST.get("reason", "")[:1000], success="The appointment is cancelled; the client is told.",
    )
    return _back_to_inbox(request)
