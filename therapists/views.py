from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from therapists.models import Therapist


@require_GET
def search(request):
    therapists = Therapist.objects.published().ranked().prefetch_related("modalities")
    page = Paginator(therapists, 20).get_page(request.GET.get("page"))
    return render(request, "therapists/search.html", {"page": page})


@require_GET
def profile(request, slug):
    therapist = get_object_or_404(Therapist.objects.published(), slug=slug)
    return render(request, "therapists/profile.html", {"therapist": therapist})
