"""A page whose hidden claim turns false fails the build.

Builds one lesson in a scratch source tree with one line edited, so that a
claim checked by a hidden assertion cell no longer holds: the build must fail,
and fail on that assertion (its text in the error shows that it is the claim
that failed, not the scratch tree; the site's own build shows the page as it is
builds).
"""

from sitebuild import DOCS

PAGE = "linen-prng-streams"
# The dropout key given to init no longer matches in params: the claim "the
# dropout stream does not affect the parameters" is now false for this page.
ORIGINAL = '{"params": jax.random.key(0), "dropout": jax.random.key(99)}'
BROKEN = '{"params": jax.random.key(5), "dropout": jax.random.key(99)}'


def test_false_claim_fails_the_build(scratch_site):
    text = (DOCS / f"{PAGE}.md").read_text()
    assert text.count(ORIGINAL) == 1, "the line this test edits has changed"
    scratch_site.write({PAGE: text.replace(ORIGINAL, BROKEN)})
    result = scratch_site.build()
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "AssertionError" in output
    assert "jax.tree.all(jax.tree.map(jnp.array_equal, v1, v2))" in output
