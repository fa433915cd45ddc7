"""The README states what the project pins, as requirements.txt pins it."""

import re

from sitebuild import ROOT


def test_readme_names_the_versions_the_lessons_are_executed_with():
    requirements = (ROOT / "requirements.txt").read_text()
    pins = dict(re.findall(r"^(jax|jaxlib|flax)==(\S+)$", requirements, re.M))
    stated = (
        f"executed with jax {pins['jax']}, jaxlib {pins['jaxlib']} and "
        f"flax {pins['flax']}"
    )
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert stated in readme
