"""Speech recognition engines behind one small interface.

Each engine turns 16 kHz mono float32 audio into a :class:`~video2blog.pipeline.schema.Transcript`
of timed words; nothing downstream knows which engine ran.
"""

from __future__ import annotations

from video2blog.pipeline.engines.base import Engine, EngineOptions, ProgressCallback, get_engine

__all__ = ["Engine", "EngineOptions", "ProgressCallback", "get_engine"]
