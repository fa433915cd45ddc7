"""The grader's version: the site's, which publishes it with each build."""

__version__ = "2026.11.22"
