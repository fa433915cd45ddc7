"""Keep matplotlib out of Sphinx's process while social cards are off.

sphinxext-opengraph imports its social-card module, and with it matplotlib
(about 0.5 s of every build), when it is imported, even though this site turns
the cards off (``ogp_social_cards``). This extension, set up before it, puts a
stand-in for that module in ``sys.modules``: the same defaults, and a
``create_social_card`` that imports the real module on its first call, so
turning the cards on still draws them.
"""

import functools
import importlib.util
import sys

NAME = "sphinxext.opengraph._social_cards"
# As the real module defines them (tests/test_build_speed.py compares).
DEFAULT_SOCIAL_CONFIG = {
    "enable": True,
    "site_url": True,
    "site_title": True,
    "page_title": True,
    "description": True,
}


@functools.cache
def real_module():
    """The real module, loaded under its own name from its own file."""
    spec = importlib.util.find_spec("sphinxext.opengraph")
    path = spec.submodule_search_locations[0] + "/_social_cards.py"
    real = importlib.util.spec_from_file_location(NAME, path)
    module = importlib.util.module_from_spec(real)
    real.loader.exec_module(module)
    return module


def create_social_card(*args, **kwargs):
    return real_module().create_social_card(*args, **kwargs)


def install():
    if NAME in sys.modules:
        return
    stand_in = type(sys)(NAME)
    stand_in.DEFAULT_SOCIAL_CONFIG = DEFAULT_SOCIAL_CONFIG
    stand_in.create_social_card = create_social_card
    sys.modules[NAME] = stand_in


def setup(app):
    install()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
