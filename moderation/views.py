"""Moderators' pages: short views that fetch, validate, call a service and redirect.

Every view is behind `moderator_required`: anonymous visitors go to the login page, everyone else
without the moderation.moderate permission (staff included) gets 403.
"""

import mimetypes
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from moderation import services
from moderation.forms import (
    CredentialQueueFilterForm,
    DecisionLogFilterForm,
    OptionalReasonForm,
    ReasonForm,
    TherapistLookupForm,
    VerifyCredentialForm,
)
from moderation.models import Decision
from outbox.models import Email
from reviews import rules as review_rules
from reviews.models import Review, ReviewFlag, ReviewReply, ReviewReplyFlag
from therapists.models import Credential, Therapist

PAGE_SIZE = 25
FAILED_EMAILS_SHOWN = 20


def moderator_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_moderator:
            raise PermissionDenied("Only moderators can open this page.")
        return view(request, *args, **kwargs)

    return wrapper


def _apply(form, decide) -> bool:
    """Run a service; its ValidationError becomes form errors (on the field it names, if any)."""
    try:
        decide()
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _history(target) -> list[Decision]:
    return list(
        Decision.objects.filter(target_type=target._meta.label_lower, target_id=target.pk).select_related("actor")
    )


@moderator_required
@require_GET
def home(request):
    # What the queues hold for this moderator: their own profile's items are another moderator's.
    moderator = request.user
    counts = {
        "pending_credentials": Credential.objects.pending().decidable_by(moderator).count(),
        "flagged_reviews": Review.objects.decidable_by(moderator)
        .filter(flags__resolution=ReviewFlag.Resolution.OPEN)
        .distinct()
        .count(),
        "hidden_reviews": Review.objects.hidden().decidable_by(moderator).count(),
        "flagged_replies": ReviewReply.objects.decidable_by(moderator).flagged().count(),
        "hidden_replies": ReviewReply.objects.hidden().decidable_by(moderator).count(),
        "held_reviews": Review.objects.held().decidable_by(moderator).count(),
        "suspended_therapists": Therapist.objects.decidable_by(moderator)
        .filter(status=Therapist.Status.SUSPENDED)
        .count(),
        "failed_emails": Email.objects.failed().count(),
    }
    recent = Decision.objects.select_related("actor")[:10]
    failed_emails = Email.objects.failed().order_by("-failed_at", "-pk")[:FAILED_EMAILS_SHOWN]
    return render(
        request, "moderation/home.html", {"counts": counts, "recent": recent, "failed_emails": failed_emails}
    )


@moderator_required
@require_POST
def resend_email(request, pk):
    email = get_object_or_404(Email.objects.failed(), pk=pk)
    try:
        services.resend_email(email=email, moderator=request.user)
    except ValidationError as error:  # another moderator sent it again a moment ago
        messages.error(request, " ".join(error.messages))
        return redirect("moderation:home")
    messages.success(request, f"Queued again: “{email.subject}” to {email.to}.")
    return redirect("moderation:home")


# Credentials


@moderator_required
@require_GET
def credential_queue(request):
    form = CredentialQueueFilterForm(request.GET or None)
    credentials = form.filter(
        Credential.objects.pending()
        .decidable_by(request.user)
        .select_related("therapist")
        .order_by("submitted_at", "pk")
    )
    page = Paginator(credentials, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "moderation/credential_queue.html", {"form": form, "page": page, "query": query.urlencode()}
    )


def _document_kind(credential: Credential) -> str:
    if not credential.document:
        return ""
    content_type, _ = mimetypes.guess_type(credential.document.name)
    if content_type == "application/pdf":
        return "pdf"
    if content_type and content_type.startswith("image/"):
        return "image"
    return "other"


def _credential_page(request, credential, **forms):
    if forms:  # a refused decision: show the credential as it is now, not as it was loaded
        credential = _get_credential(credential.pk)
    forms.setdefault("verify_form", VerifyCredentialForm(credential=credential))
    forms.setdefault("reject_form", ReasonForm(prefix="reject"))
    forms.setdefault("revoke_form", ReasonForm(prefix="revoke"))
    return render(
        request,
        "moderation/credential_detail.html",
        {
            "credential": credential,
            # Asked now, beside the document: the register may have changed since the therapist submitted.
            "register_answer": credential.ask_register(),
            "document_kind": _document_kind(credential),
            "history": _history(credential),
            "own_cause": services.own_cause(moderator=request.user, target=credential),
            **forms,
        },
    )


def _get_credential(pk) -> Credential:
    return get_object_or_404(
        Credential.objects.select_related("therapist__user", "decided_by", "register"), pk=pk
    )


@moderator_required
@require_GET
def credential_detail(request, pk):
    return _credential_page(request, _get_credential(pk))


@moderator_required
@require_POST
def verify_credential(request, pk):
    credential = _get_credential(pk)
    form = VerifyCredentialForm(request.POST, credential=credential)
    if form.is_valid() and _apply(
        form,
        lambda: services.verify_credential(
            credential=credential, moderator=request.user, expires_on=form.cleaned_data["expires_on"]
        ),
    ):
        messages.success(request, f"Verified: {credential.title} ({credential.therapist}).")
        return redirect("moderation:credential_queue")
    return _credential_page(request, credential, verify_form=form)


@moderator_required
@require_POST
def reject_credential(request, pk):
    credential = _get_credential(pk)
    form = ReasonForm(request.POST, prefix="reject")
    if form.is_valid() and _apply(
        form,
        lambda: services.reject_credential(
            credential=credential, moderator=request.user, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, f"Rejected: {credential.title} ({credential.therapist}). The therapist is told why.")
        return redirect("moderation:credential_queue")
    return _credential_page(request, credential, reject_form=form)


@moderator_required
@require_POST
def revoke_credential(request, pk):
    credential = _get_credential(pk)
    form = ReasonForm(request.POST, prefix="revoke")
    if form.is_valid() and _apply(
        form,
        lambda: services.revoke_credential(
            credential=credential, moderator=request.user, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, f"Verification withdrawn: {credential.title} ({credential.therapist}).")
        return redirect("moderation:credential_detail", pk=credential.pk)
    return _credential_page(request, credential, revoke_form=form)


# Reviews and flags


def _open_flags():
    return Prefetch(
        "flags",
        queryset=ReviewFlag.objects.open().select_related("user").order_by("created_at"),
        to_attr="open_flags",
    )


def _open_reply_flags():
    return Prefetch(
        "flags",
        queryset=ReviewReplyFlag.objects.open().select_related("user").order_by("created_at"),
        to_attr="open_flags",
    )


def _flagged_replies(moderator):
    """Replies with open flags, most-flagged first, beside the flagged reviews (the same queue)."""
    open_flag = Q(flags__resolution=ReviewFlag.Resolution.OPEN)
    return (
        ReviewReply.objects.decidable_by(moderator)
        .filter(open_flag)
        .annotate(
            open_flag_count=Count("flags", filter=open_flag),
            first_flagged_at=Min("flags__created_at", filter=open_flag),
        )
        .select_related("review__therapist", "review__author")
        .prefetch_related(_open_reply_flags())
        .order_by("-open_flag_count", "first_flagged_at", "pk")
    )


@moderator_required
@require_GET
def flag_queue(request):
    reviews = (
        Review.objects.decidable_by(request.user)
        .filter(flags__resolution=ReviewFlag.Resolution.OPEN)
        .annotate(
            open_flag_count=Count("flags", filter=Q(flags__resolution=ReviewFlag.Resolution.OPEN)),
            first_flagged_at=Min("flags__created_at", filter=Q(flags__resolution=ReviewFlag.Resolution.OPEN)),
        )
        .select_related("therapist", "author")
        .prefetch_related(_open_flags())
        .order_by("-open_flag_count", "first_flagged_at", "pk")
    )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    replies = Paginator(_flagged_replies(request.user), PAGE_SIZE).get_page(request.GET.get("replies_page"))
    return render(request, "moderation/flag_queue.html", {"page": page, "replies": replies})


@moderator_required
@require_GET
def hidden_reviews(request):
    reviews = (
        Review.objects.hidden()
        .decidable_by(request.user)
        .select_related("therapist", "author")
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    replies = (
        ReviewReply.objects.hidden()
        .decidable_by(request.user)
        .select_related("review__therapist", "review__author")
        .order_by("-removed_at", "-pk")
    )
    replies = Paginator(replies, PAGE_SIZE).get_page(request.GET.get("replies_page"))
    return render(request, "moderation/hidden_reviews.html", {"page": page, "replies": replies})


def _held_groups(reviews: list[Review]) -> list[dict]:
    """Held reviews by therapist, each with its authors' account ages and the reviewer overlap.

    Overlap: other therapists that two or more of the burst's authors also reviewed, the mark of a
    ring of accounts that write together.
    """
    now = timezone.now()
    groups: dict[int, dict] = {}
    for review in reviews:
        group = groups.setdefault(review.therapist_id, {"therapist": review.therapist, "reviews": [], "overlap": []})
        # None for an anonymised review: its author deleted their account.
        joined = review.author.date_joined if review.author else None
        review.account_age_at_review = review.created_at - joined if joined else None
        review.account_age_now = now - joined if joined else None
        group["reviews"].append(review)
    for group in groups.values():
        authors = [review.author_id for review in group["reviews"]]
        group["overlap"] = list(
            Review.objects.filter(author_id__in=authors)
            .exclude(therapist=group["therapist"])
            .values("therapist__display_name", "therapist__slug")
            .annotate(shared=Count("author", distinct=True))
            .filter(shared__gte=2)
            .order_by("-shared", "therapist__display_name")[:10]
        )
    return list(groups.values())


@moderator_required
@require_GET
def held_reviews(request):
    reviews = (
        Review.objects.held()
        .decidable_by(request.user)
        .select_related("therapist", "author")
        .order_by("therapist_id", "created_at", "pk")
    )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    rules_summary = (
        f"{review_rules.BURST_MIN_REVIEWS} or more reviews of one therapist within "
        f"{int(review_rules.BURST_WINDOW.total_seconds() // 60)} minutes from accounts younger than "
        f"{review_rules.BURST_YOUNG_ACCOUNT.days} days"
    )
    context = {"page": page, "groups": _held_groups(list(page.object_list)), "rules_summary": rules_summary}
    return render(request, "moderation/held_reviews.html", context)


def _decide_held(request, pk, *, publish: bool):
    review = _get_review(pk)
    form = (OptionalReasonForm if publish else ReasonForm)(request.POST, prefix="publish" if publish else "hide")
    if form.is_valid() and _apply(
        form,
        lambda: services.decide_held_review(
            review=review, moderator=request.user, publish=publish, reason=form.cleaned_data["reason"]
        ),
    ):
        if publish:
            messages.success(request, f"Published: “{review.title}” now counts toward the therapist's score.")
        else:
            messages.success(request, f"Hidden: “{review.title}”. The author and the therapist are told why.")
        return redirect("moderation:held_reviews")
    for error in form.non_field_errors():
        messages.warning(request, error)
    for error in form.errors.get("reason", []):
        messages.warning(request, error)
    return redirect("moderation:held_reviews")


@moderator_required
@require_POST
def publish_held_review(request, pk):
    return _decide_held(request, pk, publish=True)


@moderator_required
@require_POST
def hide_held_review(request, pk):
    return _decide_held(request, pk, publish=False)


def _get_review(pk) -> Review:
    reviews = Review.objects.select_related("therapist", "author").prefetch_related(_open_flags())
    return get_object_or_404(reviews, pk=pk)


def _review_page(request, review, **forms):
    if forms:
        review = _get_review(review.pk)
    forms.setdefault("hide_form", ReasonForm(prefix="hide"))
    forms.setdefault("dismiss_form", OptionalReasonForm(prefix="dismiss"))
    forms.setdefault("restore_form", OptionalReasonForm(prefix="restore"))
    own = services.own_cause(moderator=request.user, target=review)
    return render(
        request,
        "moderation/review_detail.html",
        {"review": review, "history": _history(review), "own_cause": own, **forms},
    )


@moderator_required
@require_GET
def review_detail(request, pk):
    return _review_page(request, _get_review(pk))


@moderator_required
@require_POST
def hide_review(request, pk):
    review = _get_review(pk)
    form = ReasonForm(request.POST, prefix="hide")
    if form.is_valid() and _apply(
        form, lambda: services.hide_review(review=review, moderator=request.user, reason=form.cleaned_data["reason"])
    ):
        messages.success(request, f"Hidden: “{review.title}”. The author and the therapist are told why.")
        return redirect("moderation:flag_queue")
    return _review_page(request, review, hide_form=form)


@moderator_required
@require_POST
def dismiss_flags(request, pk):
    review = _get_review(pk)
    form = OptionalReasonForm(request.POST, prefix="dismiss")
    if form.is_valid() and _apply(
        form,
        lambda: services.dismiss_flags(review=review, moderator=request.user, reason=form.cleaned_data["reason"]),
    ):
        messages.success(request, f"Flags dismissed: “{review.title}” stays published.")
        return redirect("moderation:flag_queue")
    return _review_page(request, review, dismiss_form=form)


@moderator_required
@require_POST
def restore_review(request, pk):
    review = _get_review(pk)
    form = OptionalReasonForm(request.POST, prefix="restore")
    if form.is_valid() and _apply(
        form,
        lambda: services.restore_review(review=review, moderator=request.user, reason=form.cleaned_data["reason"]),
    ):
        messages.success(request, f"Restored: “{review.title}” is published again.")
        return redirect("moderation:hidden_reviews")
    return _review_page(request, review, restore_form=form)


# Replies


def _get_reply(pk) -> ReviewReply:
    replies = ReviewReply.objects.select_related("review__therapist", "review__author").prefetch_related(
        _open_reply_flags()
    )
    return get_object_or_404(replies, pk=pk)


def _reply_page(request, reply, **forms):
    if forms:  # a refused decision: show the reply as it is now
        reply = _get_reply(reply.pk)
    forms.setdefault("hide_form", ReasonForm(prefix="hide"))
    forms.setdefault("dismiss_form", OptionalReasonForm(prefix="dismiss"))
    forms.setdefault("restore_form", ReasonForm(prefix="restore"))
    own = services.own_cause(moderator=request.user, target=reply)
    context = {"reply": reply, "review": reply.review, "history": _history(reply), "own_cause": own, **forms}
    return render(request, "moderation/reply_detail.html", context)


@moderator_required
@require_GET
def reply_detail(request, pk):
    return _reply_page(request, _get_reply(pk))


@moderator_required
@require_POST
def hide_reply(request, pk):
    reply = _get_reply(pk)
    form = ReasonForm(request.POST, prefix="hide")
    if form.is_valid() and _apply(
        form, lambda: services.hide_reply(reply=reply, moderator=request.user, reason=form.cleaned_data["reason"])
    ):
        messages.success(request, f"Hidden: the reply to “{reply.review.title}”. The therapist is told why.")
        return redirect("moderation:flag_queue")
    return _reply_page(request, reply, hide_form=form)


@moderator_required
@require_POST
def dismiss_reply_flags(request, pk):
    reply = _get_reply(pk)
    form = OptionalReasonForm(request.POST, prefix="dismiss")
    if form.is_valid() and _apply(
        form,
        lambda: services.dismiss_reply_flags(reply=reply, moderator=request.user, reason=form.cleaned_data["reason"]),
    ):
        messages.success(request, f"Flags dismissed: the reply to “{reply.review.title}” stays published.")
        return redirect("moderation:flag_queue")
    return _reply_page(request, reply, dismiss_form=form)


@moderator_required
@require_POST
def restore_reply(request, pk):
    reply = _get_reply(pk)
    form = ReasonForm(request.POST, prefix="restore")
    if form.is_valid() and _apply(
        form, lambda: services.restore_reply(reply=reply, moderator=request.user, reason=form.cleaned_data["reason"])
    ):
        messages.success(request, f"Restored: the reply to “{reply.review.title}” is published again.")
        return redirect("moderation:hidden_reviews")
    return _reply_page(request, reply, restore_form=form)


# Profiles


@moderator_required
@require_GET
def therapist_list(request):
    form = TherapistLookupForm(request.GET or None)
    if form.is_bound:
        therapists = form.filter(Therapist.objects.decidable_by(request.user).order_by("display_name", "pk"))
        heading = "Matching profiles"
    else:
        therapists = (
            Therapist.objects.decidable_by(request.user)
            .filter(status=Therapist.Status.SUSPENDED)
            .order_by("display_name", "pk")
        )
        heading = "Suspended profiles"
    page = Paginator(therapists, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "moderation/therapist_list.html",
        {"form": form, "page": page, "heading": heading, "query": query.urlencode()},
    )


def _therapist_page(request, therapist, **forms):
    if forms:
        therapist.refresh_from_db()
    forms.setdefault("suspend_form", ReasonForm(prefix="suspend"))
    forms.setdefault("unsuspend_form", OptionalReasonForm(prefix="unsuspend"))
    own = services.own_cause(moderator=request.user, target=therapist)
    return render(
        request,
        "moderation/therapist_detail.html",
        {"therapist": therapist, "history": _history(therapist), "own_cause": own, **forms},
    )


@moderator_required
@require_GET
def therapist_detail(request, pk):
    return _therapist_page(request, get_object_or_404(Therapist, pk=pk))


@moderator_required
@require_POST
def suspend_therapist(request, pk):
    therapist = get_object_or_404(Therapist, pk=pk)
    form = ReasonForm(request.POST, prefix="suspend")
    if form.is_valid() and _apply(
        form,
        lambda: services.suspend_therapist(
            therapist=therapist, moderator=request.user, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, f"Suspended: {therapist}. The profile is hidden from search and its page.")
        return redirect("moderation:therapist_detail", pk=therapist.pk)
    return _therapist_page(request, therapist, suspend_form=form)


@moderator_required
@require_POST
def unsuspend_therapist(request, pk):
    therapist = get_object_or_404(Therapist, pk=pk)
    form = OptionalReasonForm(request.POST, prefix="unsuspend")
    if form.is_valid() and _apply(
        form,
        lambda: services.unsuspend_therapist(
            therapist=therapist, moderator=request.user, reason=form.cleaned_data["reason"]
        ),
    ):
        therapist.refresh_from_db()
        messages.success(request, f"Suspension lifted: {therapist} is {therapist.get_status_display().lower()} again.")
        return redirect("moderation:therapist_detail", pk=therapist.pk)
    return _therapist_page(request, therapist, unsuspend_form=form)


# Decision log


@moderator_required
@require_GET
def decision_log(request):
    form = DecisionLogFilterForm(request.GET or None)
    decisions = form.filter(Decision.objects.select_related("actor").order_by("-created_at", "-pk"))
    page = Paginator(decisions, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "moderation/decision_log.html", {"form": form, "page": page, "query": query.urlencode()})
