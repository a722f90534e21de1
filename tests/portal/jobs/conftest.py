from tests.english import client, english  # noqa: F401
