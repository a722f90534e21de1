"""Every form renders the same accessible way (issue 17, item 7 of the first-visit list): label
above the control, a required mark, help text and errors tied to the control, sensible
textareas, a real empty choice; the editor's only agency is chosen for them; the whole data
dictionary is edited on one page."""

import re

import pytest
from django.test import Client

from catalog.models import Resource
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme(db):
    return f.ThemeFactory(code="env")


@pytest.fixture
def editor_client(world):
    client = Client()
    client.force_login(world.users["agency_staff"])
    return client


def group(page: str, name: str) -> str:
    """The field group holding the control named ``name``."""
    for match in re.finditer(r'<(div|fieldset) class="field-group.*?</\1>', page, re.S):
        if f'name="{name}"' in match.group(0):
            return match.group(0)
    raise AssertionError(f"no field group for {name}")


def test_new_entry_form_is_rendered_by_the_shared_template(editor_client, world, theme):
    page = editor_client.get("/workspace/resources/new/").content.decode()
    title = group(page, "title")
    assert title.index("<label") < title.index("<input")
    assert 'class="required"' in title and "required" in title
    abstract = group(page, "abstract")
    assert 'rows="4"' in abstract and 'cols="40"' not in abstract
    theme_group = group(page, "theme")
    assert "---------" not in page and "请选择" in theme_group
    # The editor edits for one agency: it is chosen already.
    provider = group(page, "provider")
    assert re.search(rf'<option value="{world.provider.pk}" selected>', provider)


def test_errors_are_next_to_the_field_and_described(editor_client, world, theme):
    page = editor_client.post("/workspace/resources/new/", {"code": "X-1"}).content.decode()
    title = group(page, "title")
    assert 'id="id_title_error"' in title
    control = re.search(r'<input[^>]*name="title"[^>]*>', title).group(0)
    assert 'aria-invalid="true"' in control and 'aria-describedby="id_title_error"' in control


def test_feedback_and_login_forms_use_it_too(client, world, make_resource):
    resource = make_resource("open_L1")
    page = client.get(f"/feedback/resources/{resource.pk}/correction/").content.decode()
    text = group(page, "text")
    assert text.index("<label") < text.index("<textarea") and 'class="required"' in text
    assert "Please choose" not in page


def test_dictionary_formset_changes_adds_and_removes_in_one_post(editor_client, world, theme):
    resource = f.ResourceFactory(
        provider=world.provider, theme=theme, status=Resource.Status.DRAFT, tier="open"
    )
    f.FieldFactory(resource=resource, name="区", name_en="district", grade="L1")
    f.FieldFactory(resource=resource, name="数值", name_en="value", data_type="integer", grade="L1")
    url = f"/workspace/resources/{resource.pk}/fields/"
    page = editor_client.get(url).content.decode()
    assert page.count('name="fields-') > 10 and "<script" not in page.split("<main")[1]
    data = {
        "fields-TOTAL_FORMS": "5",
        "fields-INITIAL_FORMS": "2",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "500",
    }
    rows = [
        ("区县", "district", "string", "L1", "", ""),  # changed
        ("数值", "value", "integer", "L1", "", "on"),  # removed
        ("日期", "day", "date", "L1", "观测日期", ""),  # added
        ("站点", "site", "string", "L1", "", ""),  # added
        ("", "", "", "", "", ""),  # left empty
    ]
    for i, (name, name_en, data_type, grade, description, delete) in enumerate(rows):
        data |= {
            f"fields-{i}-name": name,
            f"fields-{i}-name_en": name_en,
            f"fields-{i}-data_type": data_type,
            f"fields-{i}-grade": grade,
            f"fields-{i}-description": description,
        }
        if delete:
            data[f"fields-{i}-DELETE"] = delete
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    stored = list(resource.fields.order_by("position").values_list("name", "name_en"))
    assert stored == [("区县", "district"), ("日期", "day"), ("站点", "site")]


def test_dictionary_formset_refuses_a_grade_above_the_ceiling(editor_client, world, theme):
    resource = f.ResourceFactory(
        provider=world.provider, theme=theme, status=Resource.Status.DRAFT, tier="open"
    )
    url = f"/workspace/resources/{resource.pk}/fields/"
    data = {
        "fields-TOTAL_FORMS": "1",
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "500",
        "fields-0-name": "证件号",
        "fields-0-name_en": "id_no",
        "fields-0-data_type": "string",
        "fields-0-grade": "L4",
    }
    response = editor_client.post(url, data)
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not resource.fields.exists()


def test_dictionary_empty_rows_start_blank(editor_client, world, theme):
    resource = f.ResourceFactory(
        provider=world.provider, theme=theme, status=Resource.Status.DRAFT, tier="open"
    )
    page = editor_client.get(f"/workspace/resources/{resource.pk}/fields/").content.decode()
    select = re.search(r'<select name="fields-0-grade".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="" selected>', select)
