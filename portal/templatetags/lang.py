"""Marking stored Chinese text on English pages (issue 17).

Names, conditions and notices are stored in Chinese, with an English version only where the
model has one (``localized``). On an English page, text that is still Chinese is wrapped in
``<span lang="zh-Hans">`` so that screen readers and translation tools treat it as Chinese:
``{{ organization.display_name|zh }}``.
"""

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language

register = template.Library()

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@register.filter
def zh(value):
    text = "" if value is None else value
    if not (get_language() or "").startswith("en") or not CJK.search(str(text)):
        return conditional_escape(text)
    return format_html('<span lang="zh-Hans">{}</span>', text)
