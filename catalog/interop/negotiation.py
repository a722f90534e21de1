"""Content negotiation between a resource's HTML page and its DCAT-AP descriptions.

Kept free of model imports so the anonymous page cache can key on the same answer the view gives.
"""

import re

# Media type -> the format key used in URLs (``/resources/<id>.ttl``) and by
# ``catalog.interop.dcat``.
RDF_MEDIA_TYPES = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdf",
}
HTML = "html"

# The pages that answer with HTML or RDF depending on the Accept header.
NEGOTIATED_PATH = re.compile(r"^/resources/\d+/$")


def preferred_format(request) -> str:
    """``"html"``, or the RDF format the Accept header prefers to HTML.

    HTML is listed first, so ``*/*``, a missing header, a browser's header or a type we do not
    offer all give the page.
    """
    preferred = request.get_preferred_type(["text/html", *RDF_MEDIA_TYPES])
    return RDF_MEDIA_TYPES.get(preferred, HTML)
