from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from appointments import clock
from appointments.invitations import read_invitation
from directory.lib import ratelimit
from reviews import rules, services
from reviews.forms import FlagForm, ReplyFlagForm, ReplyForm, ReviewForm
from reviews.models import QUESTIONS, Review, ReviewReply
from therapists.models import Therapist

MY_REVIEWS_PAGE_SIZE = 20


def _refuse(
    request, *, title: str, message: str, therapist: Therapist | None = None, confirm_email=False, way_on=None
):
    """A 403 page that says why and offers the way on: `way_on` is (label, URL) of what the person can do instead."""
    context = {
        "title": title, "message": message, "therapist": therapist, "confirm_email": confirm_email, "way_on": way_on,
    }
    return render(request, "reviews/refused.html", context, status=403)


def _way_on(therapist: Therapist, user, existing: Review | None):
    """What a refused writer can do instead: the owner manages the profile, an author past the
    edit window can still withdraw from their reviews page."""
    if therapist.user_id == user.pk:
        return ("Go to your dashboard", reverse("dashboard:home"))
    if existing is not None:
        return ("Your reviews", reverse("reviews:mine"))
    return None


def _too_many(request, template: str, context: dict):
    messages.error(request, "You have posted a lot in a short time. Please wait a while and try again.")
    return render(request, template, context, status=429)


def _review_url(review: Review) -> str:
    return f"{review.therapist.get_absolute_url()}#review-{review.pk}"


@login_required
def write_review(request, slug):
    therapist = get_object_or_404(Therapist.objects.published(), slug=slug)
    appointment = None
    token = request.GET.get("invitation", "")
    if token:
        try:
            appointment = read_invitation(token, user=request.user, now=clock.now())
        except ValidationError as error:
            return _refuse(
                request, title="This invitation cannot be used", message=" ".join(error.messages), therapist=therapist
            )
        if appointment.therapist_id != therapist.pk:
            return _refuse(
                request, title="This invitation cannot be used", therapist=therapist,
                message="This invitation is for a visit to another therapist.",
            )
    existing = Review.objects.filter(therapist=therapist, author=request.user).first()
    refusal = services.review_refusal(therapist, request.user, existing, invited=appointment is not None)
    if refusal:
        return _refuse(
            request, title=refusal.title, message=refusal.message, therapist=therapist,
            confirm_email=refusal.confirm_email, way_on=_way_on(therapist, request.user, existing),
        )
    data = request.POST if request.method == "POST" else None
    form = ReviewForm(data, instance=existing, therapist=therapist, author=request.user, appointment=appointment)
    context = {
        "appointment": appointment,
        "therapist": therapist,
        "form": form,
        "review": existing,
        "edit_until": existing.editable_until if existing else None,
        "questions": [form[name] for name in QUESTIONS],
        "retention_months": rules.RETENTION_MONTHS,
    }
    if request.method == "POST":
        if not ratelimit.hit(f"review-post:{request.user.pk}", settings.REVIEW_RATE_LIMIT):
            return _too_many(request, "reviews/review_form.html", context)
        if form.is_insider():
            services.refuse_insider_review(therapist=therapist)
            refusal = {"title": "We cannot publish this review", "message": rules.INSIDER_REFUSAL}
            return render(request, "reviews/refused.html", {**refusal, "therapist": therapist})
        if form.is_valid():
            answers = {name: value for name, value in form.cleaned_data.items() if name != "insider"}
            try:
                review = services.publish_review(
                    therapist=therapist, author=request.user, appointment=appointment, **answers
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _thanks(review, edited=existing is not None))
                return redirect(therapist)
    return render(request, "reviews/review_form.html", context)


def _thanks(review: Review, *, edited: bool) -> str:
    if review.status == Review.Status.HELD:
        return (
            "Thank you. Your review is waiting for a moderator: this therapist received several reviews from new "
            "accounts within a short time, and such bursts are checked before they are published, whatever their "
            "ratings. We will email you."
        )
    return "Thank you, your review is updated." if edited else "Thank you, your review is published."


@login_required
@require_POST
def withdraw_review(request, slug):
    review = get_object_or_404(
        Review.objects.filter(author=request.user, therapist__slug=slug).select_related("therapist")
    )
    try:
        services.withdraw_review(review=review, user=request.user)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Your review of {review.therapist.display_name} is withdrawn: it is no longer shown and no longer "
            "counts toward the score. "
            f"We keep it for {rules.RETENTION_MONTHS} months, as the rules for reviews require, "
            "and then erase its text.",
        )
    # From "Your reviews" the form says to come back there; anywhere else, to the profile.
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    if review.therapist.is_published:
        return redirect(review.therapist)
    return redirect("reviews:mine")


@login_required
@require_GET
def my_reviews(request):
    """The reviews the user wrote, in every status, with what they can still do to each."""
    reviews = (
        Review.objects.filter(author=request.user)
        .select_related("therapist", "modality", "reply")
        .newest_first()
    )
    page = Paginator(reviews, MY_REVIEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "edit_days": rules.EDIT_WINDOW.days, "retention_months": rules.RETENTION_MONTHS}
    return render(request, "reviews/my_reviews.html", context)


@login_required
def flag_review(request, pk):
    # Only visible reviews can be flagged; hidden ones are already with the moderators.
    review = get_object_or_404(
        Review.objects.published().filter(therapist__status=Therapist.Status.PUBLISHED).select_related("therapist"),
        pk=pk,
    )
    if review.author_id == request.user.pk:
        return _refuse(
            request, title="This is your own review", therapist=review.therapist,
            message="You cannot flag your own review. You can edit or withdraw it instead.",
            way_on=("Your reviews", reverse("reviews:mine")),
        )
    form = FlagForm(request.POST if request.method == "POST" else None)
    context = {"review": review, "form": form}
    if request.method == "POST":
        if not ratelimit.hit(f"review-flag:{request.user.pk}", settings.REVIEW_RATE_LIMIT):
            return _too_many(request, "reviews/flag_form.html", context)
        if form.is_valid():
            try:
                services.flag_review(review=review, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                messages.warning(request, " ".join(error.messages))
            else:
                messages.success(
                    request, "Thank you. The moderators will look at this review; it stays visible until they decide."
                )
            return redirect(_review_url(review))
    return render(request, "reviews/flag_form.html", context)


@login_required
def reply_to_review(request, pk):
    # Fetched through the user: only the reviewed therapist finds the review here, anyone else gets 404.
    review = get_object_or_404(
        Review.objects.published().filter(therapist__user=request.user).select_related("therapist"), pk=pk
    )
    existing = ReviewReply.objects.filter(review=review).first()
    if existing is not None and not existing.is_published:
        return _refuse(
            request, title="Your reply was hidden by a moderator", therapist=review.therapist,
            message=services.HIDDEN_REPLY_REFUSAL, way_on=("Go to your dashboard", reverse("dashboard:home")),
        )
    form = ReplyForm(request.POST if request.method == "POST" else None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_to_review(review=review, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:  # hidden by a moderator while the therapist was writing
            form.add_error(None, error)
        else:
            messages.success(request, "Your reply is updated." if existing else "Your reply is published.")
            return redirect(_review_url(review))
    context = {"review": review, "form": form, "reply": existing, "reply_rule": rules.REPLY_RULE}
    return render(request, "reviews/reply_form.html", context)


@login_required
def flag_reply(request, pk):
    """Report the therapist's reply to review `pk`: only a reply visitors can see, of a published profile."""
    reply = get_object_or_404(
        ReviewReply.objects.published()
        .filter(review__status=Review.Status.PUBLISHED, review__therapist__status=Therapist.Status.PUBLISHED)
        .select_related("review__therapist"),
        review_id=pk,
    )
    review = reply.review
    if reply.author_id == request.user.pk:
        return _refuse(
            request, title="This is your own reply", therapist=review.therapist,
            message="You cannot report your own reply. You can edit it instead.",
            way_on=("Edit your reply", reverse("reviews:reply", kwargs={"pk": review.pk})),
        )
    form = ReplyFlagForm(request.POST if request.method == "POST" else None)
    context = {"review": review, "reply": reply, "form": form}
    if request.method == "POST":
        # One budget for every report a user sends, reviews and replies alike.
        if not ratelimit.hit(f"review-flag:{request.user.pk}", settings.REVIEW_RATE_LIMIT):
            return _too_many(request, "reviews/reply_flag_form.html", context)
        if form.is_valid():
            try:
                services.flag_reply(reply=reply, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                messages.warning(request, " ".join(error.messages))
            else:
                messages.success(
                    request, "Thank you. The moderators will look at this reply; it stays visible until they decide."
                )
            return redirect(_review_url(review))
    return render(request, "reviews/reply_flag_form.html", context)

