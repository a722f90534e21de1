"""The one way pages answer a service's refusal, confirm a step, and hand out private files."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation

from portal.steps import private_file, run_step
from portal.transitions import InvalidTransition


@pytest.fixture
def request_():
    request = RequestFactory().post("/somewhere/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _raise(error):
    def work():
        raise error

    return work


@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        (PermissionDenied("Apply for a grant first."), 403, "Apply for a grant first."),
        (ValidationError({"reason": ["State the reason."]}), 400, "State the reason."),
        (InvalidTransition("approved", "Approved"), 409, "Not possible in the current state"),
    ],
)
def test_a_refusal_is_a_page_with_its_status_and_message(request_, error, status, text):
    with translation.override("en"):
        response = run_step(request_, _raise(error), "/next/")
    assert response.status_code == status
    assert text in response.content.decode()
    assert list(get_messages(request_)) == []


def test_a_wrong_state_names_the_current_one(request_):
    with translation.override("en"):
        response = run_step(request_, _raise(InvalidTransition("approved", "Approved")), "/x/")
    assert "(Approved)" in response.content.decode()


def test_a_step_taken_is_confirmed_and_redirected(request_):
    response = run_step(request_, lambda: 7, lambda result: f"/items/{result}/", done="Saved.")
    assert response.status_code == 302 and response["Location"] == "/items/7/"
    assert [str(m) for m in get_messages(request_)] == ["Saved."]


@pytest.mark.django_db
def test_private_file_streams_an_uncached_attachment_or_404():
    name = default_storage.save("tests/evidence.pdf", ContentFile(b"%PDF-1.4 test"))
    field = FileField(storage=default_storage)
    response = private_file(FieldFile(None, field, name))
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    default_storage.delete(name)
    with pytest.raises(Http404):
        private_file(FieldFile(None, field, name))
