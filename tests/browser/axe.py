"""axe-core in the browser tests: the pages each kind of user reaches, checked for serious and
critical accessibility violations. axe-core comes from the npm registry (tests/browser/
package.json, installed by `make test` when missing)."""

from pathlib import Path

AXE_JS = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
SEVERE = ("serious", "critical")
PASSWORD = "Portal-Demo-2026"


def new_page(browser, base_url, username=None, *, width=1366):
    """A page in a context of its own (CSP bypassed so axe's script may be added), logged in
    as ``username`` when given."""
    context = browser.new_context(
        bypass_csp=True, locale="zh-CN", viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    if username:
        page.goto(f"{base_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    return page


def violations(page, url: str) -> list[str]:
    """The serious and critical violations axe finds on ``url``, one line each."""
    response = page.goto(url)
    assert response is not None and response.status < 400, f"{url}: {response and response.status}"
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [
        f"{url}: {v['impact']} {v['id']} at {', '.join(v['nodes'])}"
        for v in found
        if v["impact"] in SEVERE
    ]
