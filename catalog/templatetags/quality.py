"""Template helpers for the quality score: the labels of missed criteria, the criteria table."""

from django import template

from catalog.quality import criteria as quality

register = template.Library()


@register.filter
def quality_labels(keys) -> list[str]:
    """The translated labels of the criteria named by ``keys`` (a resource's quality_missing)."""
    return quality.missing_labels(keys or [])


@register.simple_tag
def quality_criteria() -> list[dict]:
    """The criteria with their weights and rules, for the about page."""
    return [
        {"key": c.key, "weight": c.weight, "label": c.label_text(), "rule": c.rule_text()}
        for c in quality.CRITERIA
    ]
