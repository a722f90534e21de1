"""The login page renders like every other form of the site (labels, required marks, errors
beside the form) and its messages follow the page's language (issue 17)."""

import re

import pytest
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db


def errors_box(page: str) -> str:
    found = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', page, re.S)
    assert found, "the refusal is shown in the form's error box"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_login__wrong_password_shows_a_chinese_error_in_the_styled_form(world):
    response = Client().post("/accounts/login/", {"username": "citizen", "password": "wrong"})
    assert response.status_code == 400
    page = response.content.decode()
    assert errors_box(page) == "用户名或密码不正确。"
    assert not re.search(r"[A-Za-z]{4,}", errors_box(page))
    assert '<p class="required-note">' in page
    for field, label in (("username", "用户名"), ("password", "密码")):
        assert re.search(
            rf'<div class="field-group">\s*<label for="id_{field}">{label}'
            r'<span class="required" aria-hidden="true"> \*</span></label>',
            page,
        ), field
    assert 'id="id_password"' in page and 'type="password"' in page


def test_login__empty_fields_are_marked_in_chinese(world):
    page = Client().post("/accounts/login/", {"username": "", "password": ""}).content.decode()
    errors = re.findall(r'<ul class="errorlist error-message" id="id_(\w+)_error">(.*?)</ul>', page)
    assert {name for name, _text in errors} == {"username", "password"}
    for _name, text in errors:
        assert "此项为必填项" in text and not re.search(r"[A-Za-z]{4,}", text)


def test_login__english_page_has_english_messages(world):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/login/", {"username": "citizen", "password": "wrong"}
    )
    assert errors_box(response.content.decode()) == "The user name or password is not correct."


def test_login__good_password_still_signs_in(world):
    client = Client()
    response = client.post("/accounts/login/", {"username": "citizen", "password": f.PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.parametrize(
    "new1,new2",
    [("Kq7-sh", "Kq7-sh"), ("12345678", "12345678"), ("password", "password"), ("A-long-1", "B")],
)
def test_password_change__errors_are_chinese(world, new1, new2):
    client = Client()
    client.force_login(world.users["citizen"])
    data = {"old_password": "wrong", "new_password1": new1, "new_password2": new2}
    page = client.post("/accounts/password/change/", data).content.decode()
    errors = re.findall(r'<ul class="errorlist[^"]*" id="id_\w+_error">(.*?)</ul>', page, re.S)
    text = re.sub(r"<[^>]+>", " ", " ".join(errors))
    assert errors and not re.search(r"[A-Za-z]{4,}", text), text
