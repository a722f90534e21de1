"""Pages for the showcase of applications built on open data (应用成果): the public list, one
showcase, the submission form and the platform's review queue. Thin views over
``grading.showcase.selectors`` and ``.services``; the policy decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from grading import policy
from grading.showcase import selectors, services
from grading.showcase.forms import ReviewForm, ShowcaseForm
from portal.errors import render_error
from portal.steps import run_step

PAGE = 20


@require_safe
def showcase_list(request):
    """Listed applications built on open data, newest first, paginated."""
    page = Paginator(selectors.listed_showcases(user=request.user), PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "can_submit": policy.can_submit_showcase(request.user),
        "can_review": policy.can_review_showcase(request.user),
    }
    return render(request, "grading/market/showcase_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def showcase_detail(request, pk: int):
    """One showcase with the open data it uses; review actions for platform administrators."""
    showcase = selectors.showcase_detail(user=request.user, pk=pk)
    if request.method == "POST":
        return _review(request, showcase)
    reviewer = policy.can_review_showcase(request.user, showcase)
    context = {
        "showcase": showcase,
        "actions": [a for a, s in services.STEPS.items() if showcase.status in s.sources]
        if reviewer
        else [],
        "events": selectors.timeline(showcase=showcase) if reviewer else None,
    }
    return render(request, "grading/market/showcase_detail.html", context)


def _review(request, showcase):
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return render_error(request, 400, _("Choose an action."))
    return run_step(
        request,
        lambda: services.showcase_review(
            actor=request.user, showcase=showcase, **form.cleaned_data
        ),
        reverse("grading:showcase-detail", args=[showcase.pk]),
    )


def _chosen(request) -> list[int]:
    ids = request.GET.getlist("resource") + request.POST.getlist("sources")
    return [int(v) for v in ids if str(v).isdigit() and len(str(v)) < 19][: services.SOURCES_MAX]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def showcase_new(request):
    """Submit an application built on open data, with the open entries it uses."""
    chosen = _chosen(request)
    query = request.GET.get("q", "")[:100]
    sources = selectors.source_candidates(user=request.user, query=query, chosen=chosen)
    form = ShowcaseForm(request.POST or None, sources=sources, initial={"sources": chosen})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        picked = [r for r in sources if r.pk in data.pop("sources")]
        try:
            showcase = services.showcase_submit(actor=request.user, data=data, sources=picked)
        except services.DuplicateShowcase:
            return render_error(request, 409, _("This showcase was already submitted."))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Submitted. The platform reviews it before listing."))
            return redirect("grading:showcase-detail", showcase.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "query": query}
    return render(request, "grading/market/showcase_form.html", context, status=status)


@login_required
@require_safe
def showcase_queue(request):
    """Submissions waiting for review (platform administrators; 404 for everyone else)."""
    page = Paginator(selectors.review_queue(user=request.user), PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "grading/market/showcase_queue.html", {"page": page})
