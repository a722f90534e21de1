"""The demo's workflows, played through the portal's services after ``loaddata``.

``fixtures/demo.json`` holds the base facts only (themes, organizations, users and their roles,
resources with their fields and files). Everything that is a workflow (agreements and the
applications for authorized operation that issue them, applications for conditional data and
the grants they issue, data merchants, products and their listing, prices, product requests,
showcases, product complaints, cross-border clearances, assessments and filings) is described in
``fixtures/demo_workflows.json`` and made here by calling the services as the demo user whose
action it is, so that every step is a row of the audit chain. ``runner.play`` is the entry point
(``manage.py load_demo`` calls it); one module per workflow.
"""
