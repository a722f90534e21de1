"""The showcase of applications built on open data (应用成果): submit, review, list."""
