"""The unified social credit code check (GB 32100-2015)."""

import pytest
from django.core.exceptions import ValidationError

from catalog.validators import (
    control_characters,
    is_valid_uscc,
    is_web_iri,
    plain_text,
    uscc_check_char,
    validate_credit_code,
    validate_plain_text,
    web_iri,
)

# Codes printed on published business licences (their check characters were not computed here).
PUBLISHED = ["91350100M000100Y43", "91440300708461136T", "91110108551385082Q", "911100007109310534"]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert is_valid_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]
    validate_credit_code(code)


@pytest.mark.parametrize("code", PUBLISHED)
def test_every_other_check_character_is_refused(code):
    wrong = [c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[17]]
    for char in wrong:
        with pytest.raises(ValidationError) as info:
            validate_credit_code(code[:17] + char)
        assert info.value.code == "credit_code_check"


def test_a_changed_body_character_is_caught():
    code = PUBLISHED[1]
    altered = code[:9] + ("1" if code[9] != "1" else "2") + code[10:]
    assert not is_valid_uscc(altered)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "credit_code_length"),
        ("9144030070846113", "credit_code_length"),
        ("91440300708461136T0", "credit_code_length"),
        ("91440300708461136I", "credit_code_charset"),  # I is not in the alphabet
        ("9144030070846113OT", "credit_code_charset"),  # nor O
        ("91440300708461136t", "credit_code_charset"),  # lower case
    ],
)
def test_malformed_codes_say_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as info:
        validate_credit_code(value)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://data.example.cn/a?b=1#c", True),
        ("http://例子.中国/路径", True),
        ("HTTPS://data.example.cn", True),
        ('https://data.example.cn/x">', False),
        ("https://data.example.cn/a b", False),
        ("https://data.example.cn/<x>", False),
        ("https://data.example.cn/\x01", False),
        ("https://data.example.cn/{x}", False),
        ("http://data.example.cn:99999/", False),
        ("http:///no-host", False),
        ("ftp://data.example.cn/", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_is_web_iri(value, expected):
    assert is_web_iri(value) is expected
    assert web_iri(value) == (value if expected else None)


def test_plain_text_strips_what_xml_cannot_hold_and_keeps_tab_newline():
    assert plain_text("a\x00b\x0bc\x7fd\x85e\ufffff\tg\nh\ri") == "abcdef\tg\nh\ri"
    assert control_characters("a\x01b\x01c\x9f") == ["\x01", "\x9f"]
    with pytest.raises(ValidationError) as info:
        validate_plain_text("题\x0b目")
    assert info.value.code == "control_characters"
    validate_plain_text("题目\t\r\n")
