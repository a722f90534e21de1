"""Chinese by default, English on request, unknown languages refused."""

import pytest

pytestmark = pytest.mark.django_db


def test_chinese_is_the_default(client):
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "数据资源" in page


def test_english_by_accept_language(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page
    assert "Data resources" in page


def test_switching_language_sets_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/resources/"})
    assert response.status_code == 302
    assert response.cookies["portal_language"].value == "en"
    assert '<html lang="en">' in client.get("/resources/").content.decode()


def test_unknown_language_is_a_400(client):
    response = client.post("/i18n/setlang/", {"language": "xx-klingon", "next": "/"})
    assert response.status_code == 400
    assert "portal_language" not in response.cookies


def test_api_messages_follow_the_language(client):
    english = client.get("/api/v1/resources/?cursor=bad", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get("/api/v1/resources/?cursor=bad").json()
    assert english["cursor"][0].startswith("Invalid cursor")
    assert english["cursor"] != chinese["cursor"]
