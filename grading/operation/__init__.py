"""Authorized operation (授权运营): applications, agency parts, agreements and their lifecycle."""
