"""Every message in the Chinese catalogue is translated, and the compiled file is up to date."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "portal" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries(text: str):
    """(msgid, msgstr) pairs of a .po file, joined across continuation lines. A plural entry
    counts as translated by its first form (``msgstr[0]``: Chinese has one form)."""
    entries, current, key = [], {}, None
    for line in text.splitlines() + [""]:
        if line.startswith(("msgid ", "msgstr ", "msgstr[0] ")):
            key, _, rest = line.partition(" ")
            key = "msgstr" if key == "msgstr[0]" else key
            current[key] = rest.strip()[1:-1]
        elif line.startswith('"') and key:
            current[key] += line.strip()[1:-1]
        elif not line.strip() and current:
            entries.append((current.get("msgid", ""), current.get("msgstr", "")))
            current, key = {}, None
    return entries


def test_every_message_is_translated():
    entries = [(i, s) for i, s in _entries(PO.read_text(encoding="utf-8")) if i]
    assert len(entries) > 200
    untranslated = [msgid for msgid, msgstr in entries if not msgstr]
    assert untranslated == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


@pytest.mark.skipif(not Path("/usr/bin/msgfmt").exists(), reason="gettext is not installed")
def test_compiled_catalogue_matches_the_source(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(PO)], check=True)
    assert fresh.read_bytes() == MO.read_bytes()
