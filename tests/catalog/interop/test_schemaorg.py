"""The schema.org Dataset in each resource page, read back the way a search engine would:
extracted from the HTML with extruct, expanded with PyLD against the schema.org context (served
offline), and checked against the schema.org SHACL shapes."""

import extruct
import pytest
from pyld import jsonld
from pyshacl import validate
from rdflib import Graph

from tests import factories as f
from tests.access_truth import CASES, DOWNLOAD, VIEW
from tests.interop import SCHEMA, SCHEMA_ORG_SHAPES, expand, offline_loader

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


def embedded(response) -> list[dict]:
    """The JSON-LD documents of a page, as extruct finds them."""
    assert response.status_code == 200
    found = extruct.extract(
        response.content.decode(), base_url=BASE, syntaxes=["json-ld"], uniform=False
    )
    return found["json-ld"]


def dataset_of(response) -> dict:
    """The page's one Dataset, expanded to full schema.org IRIs."""
    documents = embedded(response)
    assert len(documents) == 1
    expanded = expand(documents[0])
    assert len(expanded) == 1
    assert expanded[0]["@type"] == [SCHEMA + "Dataset"]
    return expanded[0]


def values(node: dict, name: str) -> list:
    return [item.get("@value", item.get("@id", item)) for item in node.get(SCHEMA + name, [])]


def one(node: dict, name: str):
    found = values(node, name)
    assert len(found) == 1, (name, found)
    return found[0]


@pytest.fixture
def described(make_resource):
    resource = make_resource(
        "open_L1",
        title_en="Hourly air quality",
        license="CC BY 4.0",
        spatial="上海市",
        temporal="2019-01-01至2025年12月",
        keywords="空气质量,AQI",
        issued="2024-01-15",
    )
    f.FieldFactory(resource=resource, name="监测时间", name_en="observed_at", description="整点")
    return resource


def test_page__embeds_a_dataset_with_the_entrys_metadata(client, described, world):
    dataset = dataset_of(client.get(f"/resources/{described.pk}/"))
    page = f"{BASE}/resources/{described.pk}/"
    assert dataset["@id"] == page + "#dataset"
    assert one(dataset, "name") == described.title
    assert one(dataset, "alternateName") == "Hourly air quality"
    assert one(dataset, "url") == page
    assert one(dataset, "identifier") == described.code
    assert set(values(dataset, "keywords")) == {"空气质量", "AQI"}
    assert 50 <= len(one(dataset, "description")) <= 5000
    assert one(dataset, "isAccessibleForFree") is True
    assert one(dataset, "license") == "http://creativecommons.org/licenses/by/4.0/"
    assert one(dataset, "temporalCoverage") == "2019-01-01/2025-12"
    assert one(dataset, "dateModified") == described.modified.isoformat()
    place = dataset[SCHEMA + "spatialCoverage"][0]
    assert place["@type"] == [SCHEMA + "Place"] and one(place, "name") == "上海市"
    creator, publisher = dataset[SCHEMA + "creator"][0], dataset[SCHEMA + "publisher"][0]
    assert creator["@type"] == [SCHEMA + "GovernmentOrganization"]
    assert one(creator, "name") == world.provider.name
    assert publisher["@id"] == creator["@id"]
    variables = dataset[SCHEMA + "variableMeasured"]
    assert all(v["@type"] == [SCHEMA + "PropertyValue"] for v in variables)
    assert "监测时间" in [one(v, "name") for v in variables]
    assert "observed_at" in [one(v, "alternateName") for v in variables]
    catalog = dataset[SCHEMA + "includedInDataCatalog"][0]
    assert catalog["@type"] == [SCHEMA + "DataCatalog"] and one(catalog, "url") == f"{BASE}/"
    download = dataset[SCHEMA + "distribution"][0]
    assert download["@type"] == [SCHEMA + "DataDownload"]
    assert one(download, "encodingFormat") == "text/csv"
    content_url = one(download, "contentUrl")
    assert client.get(content_url.removeprefix(BASE)).status_code == 200


def test_page__english_dataset_uses_the_english_title(client, described):
    dataset = dataset_of(client.get(f"/resources/{described.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert one(dataset, "name") == "Hourly air quality"
    assert one(dataset, "alternateName") == described.title


@pytest.mark.parametrize(("variant", "kind"), [(v, k) for v, k in CASES if k in VIEW[v]])
def test_page__data_downloads_only_where_the_caller_may_download(
    as_user, make_resource, variant, kind
):
    resource = make_resource(variant)
    dataset = dataset_of(as_user(kind).get(f"/resources/{resource.pk}/"))
    downloads = dataset.get(SCHEMA + "distribution", [])
    assert (len(downloads) == 1) is (kind in DOWNLOAD[variant])
    assert one(dataset, "isAccessibleForFree") is (variant == "open_L1")


def test_page__conditional_data_states_its_conditions(client, make_resource):
    resource = make_resource("conditional_L1", open_conditions="需签署数据利用协议。")
    dataset = dataset_of(client.get(f"/resources/{resource.pk}/"))
    assert one(dataset, "conditionsOfAccess") == "需签署数据利用协议。"
    assert one(dataset, "isAccessibleForFree") is False
    assert SCHEMA + "distribution" not in dataset


def test_description__short_abstract_is_filled_out_from_the_entrys_metadata(
    client, make_resource, world
):
    resource = make_resource("open_L1", abstract="短摘要。")
    dataset = dataset_of(client.get(f"/resources/{resource.pk}/"))
    text = one(dataset, "description")
    assert 50 <= len(text) <= 5000
    assert text.startswith("短摘要。")
    field = resource.fields.get()
    assert field.name in text
    assert world.provider.name in text


def test_description__long_abstract_is_cut_to_5000_characters(client, make_resource):
    resource = make_resource("open_L1", abstract="数据" * 3000)
    text = one(dataset_of(client.get(f"/resources/{resource.pk}/")), "description")
    assert len(text) == 5000 and text.endswith("…")


def test_title_cannot_break_out_of_the_script_element(client, make_resource):
    title = "</script><script>alert(1)</script>"
    resource = make_resource("open_L1", title=title, abstract=f"{title} & <b>更多</b>")
    response = client.get(f"/resources/{resource.pk}/")
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert html.count("<script") == 1  # only the JSON-LD element itself
    document = embedded(response)[0]
    assert document["name"] == title
    assert document["description"].startswith(f"{title} & <b>更多</b>")


def test_the_offline_loader_fetches_nothing():
    with pytest.raises(jsonld.JsonLdError):
        offline_loader("https://example.org/context.jsonld")


def test_dataset_conforms_to_the_schema_org_shapes(client, described):
    document = embedded(client.get(f"/resources/{described.pk}/"))[0]
    nquads = jsonld.to_rdf(
        document, {"format": "application/n-quads", "documentLoader": offline_loader}
    )
    data = Graph().parse(data=nquads, format="nquads")
    assert len(data) > 30
    # These shapes check node kinds only: an object-valued property (distribution, creator,
    # variableMeasured, includedInDataCatalog, ...) must hold a node, not a literal. They do not
    # check classes, and they treat Text as a node too, so literals are kept to properties they
    # leave open (the English name of a field is its alternateName, not a propertyID).
    shapes = Graph().parse(SCHEMA_ORG_SHAPES, format="turtle")
    conforms, _report, text = validate(data, shacl_graph=shapes)
    assert conforms, text


def test_page__file_graded_above_its_entry_is_not_offered(client, make_resource):
    """A file checked when the dictionary held a higher grade stays with the agency, so the
    public description offers neither it (schema.org) nor its download address (DCAT)."""
    resource = make_resource("open_L1")
    kept = resource.distributions.get()
    higher = f.DistributionFactory(resource=resource, title="较早的文件", content_grade="L3")
    dataset = dataset_of(client.get(f"/resources/{resource.pk}/"))
    urls = [one(d, "contentUrl") for d in dataset.get(SCHEMA + "distribution", [])]
    assert urls == [f"http://testserver/resources/{resource.pk}/distributions/{kept.pk}/download/"]
    turtle = client.get(f"/resources/{resource.pk}.ttl").content.decode()
    assert f"/distributions/{kept.pk}/download/" in turtle
    assert f"/distributions/{higher.pk}/download/" not in turtle
    download = f"/resources/{resource.pk}/distributions/{higher.pk}/download/"
    assert client.get(download).status_code == 403
