"""Simplified Chinese formats: Django's, with figures grouped by thousands with a comma, as
statistical bulletins and the national standard for numbers in publications
(GB/T 15835-2011) write them, so ``intcomma`` groups 1,843,200 in Chinese as in English."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
