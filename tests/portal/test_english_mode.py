"""English mode (issue 17, item 11 of the list): stored Chinese without an English version is
marked lang="zh-Hans", the API is not called read-only, and password errors follow the page's
language."""

import re

import pytest
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_chinese_only_names_are_marked_on_english_pages(db):
    f.OrganizationFactory(code="gaj", name="市公安局", name_en="")
    f.OrganizationFactory(code="stj", name="市统计局", name_en="Statistics Bureau")
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/organizations/").content.decode()
    assert '<span lang="zh-Hans">市公安局</span>' in english
    assert "Statistics Bureau" in english and '<span lang="zh-Hans">Statistics' not in english
    chinese = Client().get("/organizations/").content.decode()
    assert "市公安局" in chinese and 'lang="zh-Hans">市公安局' not in chinese


def test_the_api_is_not_called_read_only(db):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/about/").content.decode()
    assert "read-only REST API" not in page and "writing for signed-in" in page
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "Read-only API" not in schema and "POST, PUT, PATCH, DELETE" in schema


@pytest.mark.parametrize("password", ["Kq7-sh", "12345678"])
def test_password_errors_follow_the_language(db, password):
    data = f.individual_signup(password1=password, password2=password)
    page = Client().post("/accounts/register/individual/", data).content.decode()
    errors = " ".join(
        re.findall(r'<ul class="errorlist[^"]*" id="id_password2_error">(.*?)</ul>', page, re.S)
    )
    assert errors and not re.search(r"[A-Za-z]{4,}", re.sub(r"<[^>]+>", "", errors)), errors
    english = Client(HTTP_ACCEPT_LANGUAGE="en").post("/accounts/register/individual/", data)
    assert "This password is" in english.content.decode()


def test_product_scenarios_and_agency_description_are_marked(db):
    agency = f.OrganizationFactory(code="ghzy", name="市规划资源局", description="负责规划。")
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/organizations/{agency.code}/")
    body = english.content.decode()
    assert '<span lang="zh-Hans">负责规划。</span>' in body
