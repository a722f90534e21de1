"""A read-only, CKAN-compatible Action API (``/api/3/action/<name>``), so that scripts, harvesters
and the ``ckanapi`` client written for CKAN work with the portal unchanged.

- ``views.py``: the endpoint: reads the request the way CKAN does, runs the action, wraps the
  answer in CKAN's envelope;
- ``actions.py``: one function per action, registered by name;
- ``params.py``: CKAN's parameter validation and messages;
- ``solr.py``: the supported subset of Solr's query syntax (``q``, ``fq``, ``sort``);
- ``selectors.py``: the reads, all starting from what the rule-book lets the caller see;
- ``serializers.py``: the mapping of resources, distributions, organizations and themes to
  CKAN's package, resource, organization and group dictionaries;
- ``errors.py``: CKAN's error types and their HTTP status codes.

``docs/CKAN.md`` lists the supported actions and parameters and the differences from CKAN.
"""
