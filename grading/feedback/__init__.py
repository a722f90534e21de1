"""Feedback on catalogue entries: corrections, data requests and rights complaints."""
