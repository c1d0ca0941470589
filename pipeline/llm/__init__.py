"""Suggestions from a language model the user points at (``--llm``): headings, title, description.

Never the facts: the model's words reach the draft only through :mod:`video2blog.pipeline.text.guards`,
it never touches paragraphs, and an endpoint that fails leaves the classical draft as it was.
"""

from video2blog.pipeline.llm.options import LlmOptions

__all__ = ["LlmOptions"]
