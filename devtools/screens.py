"""Screenshots of the main pages at 1366 and 390 px into docs/screens/ (PNG).

    .venv/bin/python devtools/screens.py                   # a fresh demo database, own server
    .venv/bin/python devtools/screens.py --base http://127.0.0.1:8000   # a running `make run`

Without ``--base`` the script migrates a temporary SQLite database, loads the demo and serves it
on a free local port for the time it runs. Chinese pages need a CJK font for Chromium (Debian:
fonts-wqy-microhei or fonts-noto-cjk). Each shot is cut to ``MAX_HEIGHT`` so the files stay small.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screens"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "Portal-Demo-2026"
WIDTHS = {"desktop": (1366, 1100), "phone": (390, 1700)}  # width, MAX_HEIGHT

# (file name, who is signed in, path): the first visit of each kind of user.
PAGES = [
    ("home", None, "/"),
    ("resources", None, "/resources/"),
    ("resource", None, "/resources/{conditional}/"),
    ("help", None, "/help/"),
    ("api-docs", None, "/api/docs/"),
    ("map", None, "/map/"),
    ("apply", "citizen", "/applications/new/?resource={conditional}"),
    ("application", "citizen", "/applications/{application}/"),
    ("workspace", "stj_editor", "/workspace/"),
    ("dictionary", "stj_editor", "/workspace/resources/{own}/fields/"),
    ("audit", "admin", "/audit/"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="a running portal with the demo data loaded")
    parser.add_argument("--database", help="DATABASE_URL of that portal, to find demo ids")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.base:
        env = dict(os.environ, **({"DATABASE_URL": args.database} if args.database else {}))
        shoot(args.base.rstrip("/"), demo_ids(env))
        return
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(
            os.environ,
            DATABASE_URL=f"sqlite:///{scratch}/screens.sqlite3",
            CACHE_DIR=f"{scratch}/cache",
            MEDIA_ROOT=f"{scratch}/media",
        )
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
        subprocess.run([*manage, "load_demo", "-v0"], env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=dict(env, DEBUG="1"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base)
            shoot(base, demo_ids(env))
        finally:
            server.terminate()
            server.wait(timeout=10)


def demo_ids(env: dict) -> dict:
    """Ids of the demo rows the pages need, read in a child process on ``env``'s database."""
    code = (
        "import django, json; django.setup()\n"
        "from catalog.models import Resource; from grading.models import Application\n"
        "published = Resource.objects.filter(status='published')\n"
        "print(json.dumps({"
        "'conditional': published.filter(tier='conditional').order_by('pk').first().pk,"
        "'own': published.filter(provider__memberships__user__username='stj_editor')"
        ".order_by('pk').first().pk,"
        "'application': Application.objects.filter(applicant__username='citizen',"
        " status='submitted').order_by('pk').first().pk}))\n"
    )
    env = dict(env, DJANGO_SETTINGS_MODULE="portal.settings.base")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True
    )
    import json

    return json.loads(out.stdout)


def shoot(base: str, ids: dict) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for label, (width, max_height) in WIDTHS.items():
            pages = {}
            for name, user, path in PAGES:
                if user not in pages:
                    pages[user] = signed_in(browser, base, user, width)
                page = pages[user]
                page.goto(base + path.format(**ids))
                page.wait_for_load_state("networkidle")
                height = min(page.evaluate("document.documentElement.scrollHeight"), max_height)
                target = OUT / f"{name}-{label}.png"
                page.screenshot(
                    path=str(target), clip={"x": 0, "y": 0, "width": width, "height": height}
                )
                print(f"{target.relative_to(ROOT)} ({target.stat().st_size // 1024} KB)")
            for page in pages.values():
                page.context.close()
        browser.close()


def signed_in(browser, base: str, user: str | None, width: int):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    if user:
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", user)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    return page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(base: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310 (a local address)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the portal did not answer on {base}")


if __name__ == "__main__":
    main()
