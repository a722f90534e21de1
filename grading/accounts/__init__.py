"""Accounts: registration, e-mail confirmation, the platform's check of enterprises, sign-in
limits, and API keys.

``ThrottledModelBackend`` is importable from here because signed-in sessions store the dotted
path of the backend that authenticated them (``grading.accounts.ThrottledModelBackend``, as named
in ``AUTHENTICATION_BACKENDS``); keeping that path keeps existing sessions signed in.
"""

from grading.accounts.services import ThrottledModelBackend

__all__ = ["ThrottledModelBackend"]
