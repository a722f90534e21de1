"""Local overrides of Django's per-language formats (``FORMAT_MODULE_PATH``)."""
