"""A page whose hidden claim turns false fails the build.

Builds one lesson twice in a scratch source tree: as it is (it must build),
then with one line edited so that a claim checked by a hidden assertion cell no
longer holds (the build must fail, and fail on that assertion).
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = "linen-prng-streams"
# The dropout key given to init no longer matches in params: the claim "the
# dropout stream does not affect the parameters" is now false for this page.
ORIGINAL = '{"params": jax.random.key(0), "dropout": jax.random.key(99)}'
BROKEN = '{"params": jax.random.key(5), "dropout": jax.random.key(99)}'


def build(tmp_path, text):
    src = tmp_path / "docs"
    src.mkdir()
    for folder in ("examples", "tests"):  # what the page's cells read
        (tmp_path / folder).symlink_to(ROOT / folder)
    (src / f"{PAGE}.md").write_text(text)
    (src / "index.md").write_text(f"# Index\n\n```{{toctree}}\n{PAGE}\n```\n")
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-c", str(ROOT / "conf"), "-W", "-q"]
        + ["-b", "html", str(src), str(tmp_path / "html")],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_unchanged_page_builds(tmp_path):
    text = (ROOT / "docs" / f"{PAGE}.md").read_text()
    result = build(tmp_path, text)
    assert result.returncode == 0, result.stderr[-3000:]


def test_false_claim_fails_the_build(tmp_path):
    text = (ROOT / "docs" / f"{PAGE}.md").read_text()
    assert text.count(ORIGINAL) == 1, "the line this test edits has changed"
    result = build(tmp_path, text.replace(ORIGINAL, BROKEN))
    assert result.returncode != 0
    assert "AssertionError" in result.stdout + result.stderr
    assert "jax.tree.all(jax.tree.map(jnp.array_equal, v1, v2))" in (
        result.stdout + result.stderr
    )
