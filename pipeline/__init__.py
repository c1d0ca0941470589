"""video2blog: turn a clinic talking-head video into a draft blog post."""

__version__ = "0.1.0"
