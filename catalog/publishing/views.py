"""The agency workspace: editors draft entries, their data dictionaries and distributions and
submit them; reviewers of the same agency return or publish them, and withdraw published ones.

Thin views: the selectors read (404 for what the caller may not see, 403 with the reason for
what they may see but not change), the services write and check the rule-book again.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog.models import Distribution, Field, Resource
from catalog.publishing import dictionary, distributions, resources
from catalog.publishing import selectors as workspace_selectors
from catalog.publishing.forms import (
    FieldForm,
    FieldFormSet,
    LinkForm,
    ReasonForm,
    ResourceCreateForm,
    ResourceForm,
    UploadForm,
    dictionary_rows,
)
from catalog.publishing.uploads import UploadRejected, too_large_message
from grading import policy
from portal.errors import render_error
from portal.transitions import InvalidTransition

GET_POST = require_http_methods(["GET", "HEAD", "POST"])
TRANSITIONS = {
    "submit": resources.resource_submit,
    "return": resources.resource_return,
    "publish": resources.resource_publish,
    "withdraw": resources.resource_withdraw,
}
NEEDS_REASON = ("return", "withdraw")


def _require_workspace(request) -> None:
    if not policy.can_use_workspace(request.user):
        raise PermissionDenied(policy.workspace_denial(request.user, None, "workspace"))


def _state_error(exc: InvalidTransition) -> str:
    return _("Not possible in the current state (%(state)s).") % {"state": exc.label}


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form, by field where it names one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_safe
def home(request):
    """The caller's agencies' entries in one state (``?state=``), newest change first."""
    _require_workspace(request)
    # Editors start at their drafts, reviewers who do not edit at their review queue.
    default = Resource.Status.DRAFT
    if not policy.workspace_agencies(request.user):
        default = Resource.Status.SUBMITTED
    state = request.GET.get("state") or default
    if state not in workspace_selectors.WORKSPACE_STATES:
        return render_error(request, 400, _("Unknown state."))
    paginator = Paginator(
        workspace_selectors.workspace_resources(user=request.user, state=state),
        settings.WORKSPACE_PAGE_SIZE,
    )
    counts = workspace_selectors.workspace_counts(user=request.user)
    context = {
        "state": state,
        "tabs": [(value, label, counts[value]) for value, label in Resource.Status.choices],
        "page": paginator.get_page(request.GET.get("page")),
        "can_create": bool(policy.workspace_agencies(request.user)),
        "can_use_import": policy.can_use_import(request.user),
    }
    return render(request, "catalog/workspace/home.html", context)


@login_required
@GET_POST
def resource_new(request):
    """A new draft entry for one of the agencies the caller edits for."""
    _require_workspace(request)
    agencies = policy.workspace_agencies(request.user)
    if not agencies:
        raise PermissionDenied(policy.workspace_denial(request.user, None))
    form = ResourceCreateForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.metadata()
        try:
            resource = resources.resource_create(
                actor=request.user,
                provider=form.cleaned_data["provider"],
                code=form.cleaned_data["code"],
                **data,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Now describe its data dictionary."))
            return redirect("workspace:resource", resource.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "title": _("New data resource")}
    return render(request, "catalog/workspace/form.html", context, status=status)


def _manage_context(request, resource, **extra) -> dict:
    user = request.user
    return {
        "resource": resource,
        "can_edit": policy.can_edit(user, resource) and policy.can_change_in_state(user, resource),
        "can_flag_high_value": policy.can_flag_high_value(user, resource),
        "actions": [
            name
            for name in TRANSITIONS
            if resource.status in resources.RESOURCE_STEPS[name].sources
            and policy.allowed(user, name, resource)
        ],
        "history": workspace_selectors.resource_history(user=user, resource=resource),
        "field_form": FieldForm(),
        "reason_form": ReasonForm(),
        **extra,
    }


@login_required
@require_safe
def resource_manage(request, pk: int):
    """One entry in the workspace: metadata, dictionary, distributions, actions, history."""
    resource = workspace_selectors.workspace_resource(user=request.user, pk=pk)
    return render(request, "catalog/workspace/resource.html", _manage_context(request, resource))


def _editable(request, pk: int) -> Resource:
    resource = workspace_selectors.workspace_resource(user=request.user, pk=pk)
    if not policy.can_edit(request.user, resource):
        raise PermissionDenied(policy.workspace_denial(request.user, resource))
    return resource


def _conflict(request, resource, exc: InvalidTransition):
    context = _manage_context(request, resource, action_error=_state_error(exc))
    return render(request, "catalog/workspace/resource.html", context, status=409)


@login_required
@GET_POST
def resource_edit(request, pk: int):
    """Change an entry's metadata and tier; a tier above the grade's ceiling is refused."""
    resource = _editable(request, pk)
    form = ResourceForm(request.POST or None, instance=Resource.objects.get(pk=resource.pk))
    if request.method == "POST" and form.is_valid():
        try:
            resources.resource_update(actor=request.user, resource=resource, data=form.metadata())
        except InvalidTransition as exc:
            return _conflict(request, resource, exc)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Metadata saved."))
            return redirect("workspace:resource", resource.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "resource": resource, "title": _("Edit metadata")}
    return render(request, "catalog/workspace/form.html", context, status=status)


@login_required
@GET_POST
def field_edit(request, pk: int, field_pk: int | None = None):
    """Add a dictionary field, or change one; the grade follows, the ceiling holds."""
    resource = _editable(request, pk)
    field = get_object_or_404(Field, resource=resource, pk=field_pk) if field_pk else None
    initial = {n: getattr(field, n) for n in FieldForm.base_fields} if field else None
    form = FieldForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            dictionary.field_save(
                actor=request.user, resource=resource, data=form.cleaned_data, field=field
            )
        except InvalidTransition as exc:
            return _conflict(request, resource, exc)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Data dictionary saved."))
            return redirect("workspace:resource", resource.pk)
    title = _("Change field") if field else _("Add a field")
    context = {"form": form, "resource": resource, "title": title}
    return render(
        request, "catalog/workspace/form.html", context, status=400 if form.errors else 200
    )


@login_required
@GET_POST
def dictionary_edit(request, pk: int):
    """The whole data dictionary on one page: change, add (three empty rows each time) and
    remove several fields, saved together; works without scripts."""
    resource = _editable(request, pk)
    initial = [
        {n: getattr(f, n) for n in FieldForm.base_fields}
        for f in resource.fields.order_by("position", "id")
    ]
    formset = FieldFormSet(request.POST or None, initial=initial, prefix="fields")
    if request.method == "POST" and formset.is_valid():
        try:
            resources.resource_update(
                actor=request.user, resource=resource, data={}, fields=dictionary_rows(formset)
            )
        except InvalidTransition as exc:
            return _conflict(request, resource, exc)
        except ValidationError as exc:
            # The services' verdict on the dictionary as a whole (ceiling, repeated names).
            formset._non_form_errors = formset.error_class(
                exc.messages, error_class="nonform", renderer=formset.renderer
            )
        else:
            messages.success(request, _("Data dictionary saved."))
            return redirect("workspace:resource", resource.pk)
    status = 400 if request.method == "POST" else 200
    context = {"formset": formset, "resource": resource, "title": _("Data dictionary")}
    return render(request, "catalog/workspace/dictionary.html", context, status=status)


@login_required
@require_POST
def field_remove(request, pk: int, field_pk: int):
    """Remove a dictionary field; refused if the resulting grade breaks the ceiling."""
    resource = _editable(request, pk)
    field = get_object_or_404(Field, resource=resource, pk=field_pk)
    try:
        dictionary.field_remove(actor=request.user, field=field)
    except InvalidTransition as exc:
        return _conflict(request, resource, exc)
    except ValidationError as exc:
        context = _manage_context(request, resource, action_error=" ".join(exc.messages))
        return render(request, "catalog/workspace/resource.html", context, status=400)
    messages.success(request, _("Field removed."))
    return redirect("workspace:resource", resource.pk)


@login_required
@GET_POST
def distribution_link(request, pk: int):
    """Add an API endpoint or an external link."""
    resource = _editable(request, pk)
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            distributions.distribution_add_link(
                actor=request.user, resource=resource, **form.cleaned_data
            )
        except InvalidTransition as exc:
            return _conflict(request, resource, exc)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Distribution added."))
            return redirect("workspace:resource", resource.pk)
    context = {"form": form, "resource": resource, "title": _("Add an API or a link")}
    return render(
        request, "catalog/workspace/form.html", context, status=400 if form.errors else 200
    )


@login_required
@GET_POST
def distribution_upload(request, pk: int, distribution_pk: int | None = None):
    """Upload a file as a new distribution, or as the next version of one."""
    resource = _editable(request, pk)
    distribution = None
    if distribution_pk is not None:
        distribution = get_object_or_404(
            Distribution, resource=resource, pk=distribution_pk, kind=Distribution.Kind.FILE
        )
    title = (
        _("New version of “%(title)s”") % {"title": distribution.title}
        if distribution
        else _("Upload a file")
    )
    context = {"resource": resource, "title": title, "multipart": True}
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and getattr(request, "upload_too_large", False):
        context.update(form=UploadForm(), form_error=too_large_message())
        return render(request, "catalog/workspace/form.html", context, status=413)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            distributions.distribution_upload(
                actor=request.user,
                resource=resource,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                distribution=distribution,
            )
        except InvalidTransition as exc:
            return _conflict(request, resource, exc)
        except UploadRejected as exc:
            form.add_error("file", exc.messages)
            context["row_errors"] = exc.row_errors
            status = exc.status
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("File checked and stored."))
            return redirect("workspace:resource", resource.pk)
    if form.errors and status == 200:
        status = 400
    return render(request, "catalog/workspace/form.html", {**context, "form": form}, status=status)


@login_required
@require_POST
def transition(request, pk: int, action: str):
    """Submit, return (with a reason), publish or withdraw (with a reason)."""
    resource = workspace_selectors.workspace_resource(user=request.user, pk=pk)
    if not policy.allowed(request.user, action, resource):
        raise PermissionDenied(policy.workspace_denial(request.user, resource, action))
    extra = {}
    if action in NEEDS_REASON:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            context = _manage_context(request, resource, reason_form=form, reason_for=action)
            return render(request, "catalog/workspace/resource.html", context, status=400)
        extra["reason"] = form.cleaned_data["reason"]
    try:
        TRANSITIONS[action](actor=request.user, resource=resource, **extra)
    except InvalidTransition as exc:
        return _conflict(request, resource, exc)
    except ValidationError as exc:
        context = _manage_context(request, resource, action_error=" ".join(exc.messages))
        return render(request, "catalog/workspace/resource.html", context, status=400)
    messages.success(request, _DONE[action])
    return redirect("workspace:resource", resource.pk)


_DONE = {
    "submit": gettext_lazy("Submitted for review."),
    "return": gettext_lazy("Returned to the editors."),
    "publish": gettext_lazy("Published."),
    "withdraw": gettext_lazy("Withdrawn from the catalogue."),
}
