"""A small catalogue for the CKAN-compatible API: one entry of each tier and grade (from the
shared ``make_resource``), in a sub-theme, with keywords, plus an open entry of another agency."""

import json

import pytest

from tests import factories as f
from tests.conftest import VARIANTS

PUBLIC_VARIANTS = ["open_L1", "conditional_L1", "conditional_L2", "conditional_L3"]


@pytest.fixture
def catalogue(world, make_resource):
    parent = f.ThemeFactory(code="environment", name="生态环境")
    air = f.ThemeFactory(code="air", name="空气", parent=parent)
    rows = {}
    for variant in VARIANTS:
        rows[variant] = make_resource(
            variant,
            code=f"ckan-{variant}",
            theme=air,
            keywords=f"共享标签, {variant}-tag",
            license="CC BY 4.0" if variant == "open_L1" else "",
        )
    traffic = f.ThemeFactory(code="traffic", name="交通")
    rows["other"] = f.ResourceFactory(
        provider=world.other_agency,
        theme=traffic,
        code="ckan-other",
        title="道路交通流量统计",
        keywords="交通,共享标签",
        format="XLSX",
        update_cycle="daily",
        license="CC BY 4.0",
    )
    f.DistributionFactory(resource=rows["other"], format="XLSX")
    return rows


@pytest.fixture
def ckan(client):
    """Call an action over HTTP through Django's test client: GET with a query string or POST
    with a JSON body; returns the response."""

    def call(name, data=None, *, method="post", prefix="/api/3/action/", **headers):
        url = prefix + name
        if method == "get":
            return client.get(url, data or {}, **headers)
        return client.post(url, json.dumps(data or {}), content_type="application/json", **headers)

    return call


def result(response):
    """The ``result`` of a successful answer, after checking the envelope."""
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    return body["result"]
