"""Jinja2 templates of video2blog, installed as the ``video2blog.templates`` package."""
