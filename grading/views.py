"""Pages for grants, notices and the audit log: thin views over ``grading.selectors`` and
``grading.services``; who may do what is the policy's question."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from grading import policy, selectors, services
from portal.errors import render_error
from portal.steps import run_step

PAGE = 50


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def grant_list(request):
    """The caller's grants (and those their agency issued), with revocation for reviewers."""
    if request.method == "POST":
        return _revoke(request)
    grants = list(selectors.grant_queryset(user=request.user)[:PAGE])
    for grant in grants:
        grant.revocable = grant.status == "active" and policy.can_revoke_grant(request.user, grant)
    return render(request, "grading/grant_list.html", {"grants": grants})


def _revoke(request):
    pk = request.POST.get("grant", "")
    grant = selectors.grant_queryset(user=request.user).filter(pk=int(pk) if pk.isdigit() else 0)
    grant = grant.first()
    if grant is None:
        return render_error(request, 404, _("No such grant."))
    return run_step(
        request,
        lambda: services.grant_revoke(
            actor=request.user, grant=grant, reason=request.POST.get("reason", "")
        ),
        reverse("grading:grant-list"),
        done=_("Grant #%(id)s revoked.") % {"id": grant.pk},
    )


@login_required
@require_safe
def notice_list(request):
    """The caller's notices, newest first."""
    return render(
        request,
        "grading/notice_list.html",
        {"notices": selectors.notices(user=request.user)[:PAGE]},
    )


class AuditFilterForm(forms.Form):
    """The audit log's narrowing: one object (``object_type`` and ``object_id``), an action."""

    object_type = forms.RegexField(regex=r"^[a-z0-9_]+\.[a-z0-9_]+$", max_length=60, required=False)
    object_id = forms.RegexField(regex=r"^[\w.:-]+$", max_length=64, required=False)
    action = forms.RegexField(regex=r"^[a-z0-9_.]+$", max_length=60, required=False)
    before = forms.IntegerField(min_value=1, required=False)


@login_required
@require_safe
def audit_log(request):
    """The audit chain, newest first (auditors and platform administrators; 404 for others),
    narrowed to one object (``?object_type=&object_id=``) or one ``?action=``."""
    events = selectors.audit_log(user=request.user)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render_error(
            request,
            400,
            _("Check the filters: %(fields)s.") % {"fields": ", ".join(sorted(form.errors))},
        )
    filters = {k: v for k, v in form.cleaned_data.items() if v and k != "before"}
    events = selectors.audit_filtered(events, **filters)
    if form.cleaned_data["before"]:
        events = events.filter(seq__lt=form.cleaned_data["before"])
    page = list(events[:PAGE])
    for event in page:
        event.fields = selectors.payload_items(event)
    context = {
        "events": page,
        "older": page[-1].seq if len(page) == PAGE else None,
        "filters": filters,
        "filter_query": urlencode(filters),
    }
    return render(request, "grading/audit_log.html", context)
