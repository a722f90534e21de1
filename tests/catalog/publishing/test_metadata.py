"""The agency's metadata is listed once; the workspace form and the write API follow it."""

from catalog.api.resources_write import ResourceIn
from catalog.publishing.forms import ResourceForm
from catalog.publishing.metadata import AGENCY_METADATA, EDITABLE_FIELDS


def test_write_api_and_workspace_form_take_the_agency_metadata():
    assert tuple(ResourceIn().fields) == AGENCY_METADATA
    assert tuple(ResourceForm.Meta.fields) == AGENCY_METADATA
    assert set(AGENCY_METADATA) <= EDITABLE_FIELDS
