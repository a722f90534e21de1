"""Rules the surfaces used to assemble themselves, now named in the policy: which download
links are offered, and who may see who changed an entry."""

from types import SimpleNamespace

import pytest

from catalog.models import Distribution
from grading import policy
from tests.conftest import USER_KINDS


def _file(**extra):
    return SimpleNamespace(
        **{"kind": Distribution.Kind.FILE, "file": "a.csv", "content_grade": "", **extra}
    )


@pytest.mark.parametrize(
    ("may_download", "distribution", "offered"),
    [
        (True, _file(), True),
        (False, _file(), False),
        (None, _file(), False),  # not computed for the caller: no link
        (True, _file(file=""), False),  # a file row with nothing stored
        (True, _file(kind=Distribution.Kind.API), False),
        (True, _file(content_grade="L3"), False),  # graded above the entry (L2)
        (True, _file(content_grade="L2"), True),
    ],
)
def test_offers_download_link(may_download, distribution, offered):
    resource = SimpleNamespace(grade="L2")
    if may_download is not None:
        resource.may_download = may_download
    assert policy.offers_download_link(resource, distribution) is offered


@pytest.mark.parametrize("kind", USER_KINDS)
def test_can_see_change_author__staff_only_and_same_as_grades(world, kind):
    user = world.users.get(kind)
    assert policy.can_see_change_author(user) is policy.can_see_grades(user)


def test_can_see_change_author__anonymous_is_no():
    assert policy.can_see_change_author(None) is False
