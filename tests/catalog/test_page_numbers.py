"""Numbered pages on the lists: the first page, a window around the current one and the last,
the current one marked with aria-current; the numbered pages agree with the next/previous
links (issue 17)."""

import html
import re

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="(?:pager|pagination)".*?</nav>', re.S)
NUMBER = re.compile(r'<li>(?:<a href="([^"]*)"|<span aria-current="page")[^>]*>(\d+)</')


def numbers(response) -> tuple[dict[int, str], int | None]:
    """The page numbers the pager offers → their links, and the current page's number."""
    nav = NAV.search(response.content.decode())
    assert nav, "the page has a pager"
    links, current = {}, None
    for href, number in NUMBER.findall(nav.group(0)):
        if href:
            links[int(number)] = html.unescape(href)
        else:
            current = int(number)
    return links, current


def ids(response, name="resources") -> list[int]:
    return [row.pk for row in response.context[name]]


@pytest.fixture
def catalogue(world):
    for i in range(45):
        f.ResourceFactory(provider=world.provider, title=f"公交线路站点{i}")
    for _ in range(23):
        f.ProductFactory(provider=world.operator_org)


def test_catalogue__numbered_pages_first_window_and_last(client, catalogue):
    first = client.get("/resources/?page_size=5")
    links, current = numbers(first)
    assert current == 1 and sorted(links) == [2, 3, 9]
    assert 'aria-current="page"' in first.content.decode()
    assert "…" in NAV.search(first.content.decode()).group(0)

    last = client.get(links[9])
    assert last.status_code == 200
    links_last, current_last = numbers(last)
    assert current_last == 9 and sorted(links_last) == [1, 7, 8]
    assert len(ids(last)) == 5 and last.context["next_link"] is None

    seen = set(ids(first))
    for number in (2, 3):
        page = client.get(links[number])
        assert numbers(page)[1] == number
        assert not seen & set(ids(page))
        seen |= set(ids(page))


def test_catalogue__numbered_page_and_next_links_agree(client, catalogue):
    first = client.get("/resources/", {"page_size": 5, "q": "公交"})
    links, _current = numbers(first)
    third = client.get(links[3])
    fourth_by_next = client.get(third.context["next_link"])
    assert numbers(fourth_by_next)[1] == 4
    fourth_by_number = client.get(numbers(third)[0][4])
    assert ids(fourth_by_next) == ids(fourth_by_number)
    back = client.get(fourth_by_next.context["previous_link"])
    assert numbers(back)[1] == 3 and ids(back) == ids(third)
    assert numbers(client.get(back.context["previous_link"]))[1] == 2


def test_catalogue__one_page_has_no_numbers(client, catalogue):
    response = client.get("/resources/?page_size=50")
    assert 'aria-current="page"' not in response.content.decode()


def test_products__numbered_pages(client, catalogue):
    first = client.get("/products/?page_size=10")
    links, current = numbers(first)
    assert current == 1 and sorted(links) == [2, 3]
    third = client.get(links[3])
    assert numbers(third)[1] == 3 and len(ids(third, "products")) == 3
    assert not set(ids(first, "products")) & set(ids(third, "products"))


def test_high_value__numbered_pages(client, world):
    for _ in range(45):
        f.ResourceFactory(provider=world.provider, high_value=True)
    links, current = numbers(client.get("/high-value/"))
    assert current == 1 and links == {2: "/high-value/?page=2", 3: "/high-value/?page=3"}
    assert numbers(client.get("/high-value/?page=3"))[1] == 3


def test_catalogue__numbered_pages_walk_past_the_title_matches(client, world):
    """A search ranks entries with the words in their title first; a numbered page deep in the
    second half starts where the next links would have taken it."""
    for i in range(7):
        f.ResourceFactory(provider=world.provider, title=f"公交线路{i}")
    for i in range(9):
        f.ResourceFactory(provider=world.provider, title=f"站点{i}", abstract="公交站点的位置。")
    query = {"page_size": 3, "q": "公交"}
    walked, response = [], client.get("/resources/", query)
    while True:
        walked.append(ids(response))
        if not response.context["next_link"]:
            break
        response = client.get(response.context["next_link"])
    links = numbers(client.get("/resources/", query))[0]
    assert sorted(links) == [2, 3, 6]
    assert ids(client.get(links[3])) == walked[2]
    assert ids(client.get(links[6])) == walked[5]
    assert len(walked) == 6


def test_catalogue__too_deep_a_numbered_cursor_is_a_400(client, world):
    from catalog.search.catalogue import MAX_PAGE_OFFSET, _encode

    deep = _encode({"o": MAX_PAGE_OFFSET + 20, "n": MAX_PAGE_OFFSET // 20 + 2})
    assert client.get("/resources/", {"cursor": deep}).status_code == 400


def test_workspace__numbered_pages_keep_the_state(client, world, settings):
    settings.WORKSPACE_PAGE_SIZE = 2
    for _ in range(9):
        f.ResourceFactory(provider=world.provider, status="draft")
    client.force_login(world.users["agency_staff"])
    links, current = numbers(client.get("/workspace/?state=draft&page=3"))
    assert current == 3
    assert links == {n: f"?state=draft&page={n}" for n in (1, 2, 4, 5)}


def test_page_links_template__numbers_keep_the_other_parameters(rf):
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    request = rf.get("/feedback/inbox/", {"status": "open", "page": "6"})
    page = Paginator(range(200), 10).page(6)
    out = render_to_string(
        "grading/_page_links.html", {"page": page, "status": "open"}, request=request
    )
    links = dict(
        (int(n), html.unescape(h)) for h, n in NUMBER.findall(NAV.search(out).group(0)) if h
    )
    assert sorted(links) == [1, 4, 5, 7, 8, 20]
    assert links[20] == "?status=open&page=20"
    assert '<span aria-current="page"' in out and ">6</span>" in out
