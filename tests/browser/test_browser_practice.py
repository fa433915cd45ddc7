"""The notebook's check report, as a reader sees it in a browser.

The report of a real wrong attempt, graded in this process as a notebook
grades it, is shown in a page styled as Jupyter's light and dark themes, at
phone and desktop widths; screenshots go to build/screenshots/.
"""

import importlib.util
import re

import pytest
from project import PROBLEMS
from test_browser import ROOT
from test_browser import browser as browser  # noqa: F401  (the fixture)

from lessongrader import practice

SHOTS = ROOT / "build" / "screenshots"
THEMES = {"light": ("#ffffff", "#1f1f1f"), "dark": ("#111111", "#e0e0e0")}
SIZES = {"phone": (390, 844), "desktop": (1400, 900)}


def attempt(problem, name):
    path = PROBLEMS[problem].folder / "attempts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"attempt_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, problem)


@pytest.fixture(scope="module")
def report():
    checked = practice("dropout_forward").check(
        attempt("dropout_forward", "p_equals_rate")
    )
    return checked._repr_html_(), repr(checked)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_the_check_report_reads_at_every_width(browser, report, tmp_path, size, theme):  # noqa: F811
    html, text = report
    background, colour = THEMES[theme]
    page_file = tmp_path / "report.html"
    page_file.write_text(
        '<!doctype html><html><head><meta name="viewport" '
        'content="width=device-width, initial-scale=1"></head>'
        f'<body style="background:{background};color:{colour};margin:8px">'
        f"{html}</body></html>"
    )
    width, height = SIZES[size]
    phone = size == "phone"
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        color_scheme=theme,
    )
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        body = page.locator("body").inner_text()
        # The verdict and the diagnosis come first, then the cases.
        assert body.startswith("Incorrect")
        ((passed, count),) = re.findall(r"(\d+) of (\d+) cases passed\.", text)
        assert f"{passed} of {count} cases passed." in body
        assert int(passed) < int(count)
        assert body.index("[p-equals-rate]") < body.index("case 1")
        assert "[rate-zero]" in body
        # The failing cases unfold on a tap or a click.
        summary = page.locator("summary", has_text="Failing cases")
        summary.tap() if phone else summary.click()
        assert page.get_by_text("expected:").first.is_visible()
        # Nothing wider than the screen, the failing cases open: their long
        # lines scroll in their own box. (Against the screen's width: a phone
        # zooms out to a page wider than it, and innerWidth grows with it.)
        overflow = page.evaluate("document.documentElement.scrollWidth") - width
        assert overflow <= 0, f"{overflow} px wider than the screen"
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"practice-report-{size}-{theme}.png"
        page.screenshot(path=shot, full_page=True)
    finally:
        context.close()
