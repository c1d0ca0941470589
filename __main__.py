"""``python -m video2blog``: the same command line as the ``video2blog`` console script."""

from video2blog.cli import run

run()
