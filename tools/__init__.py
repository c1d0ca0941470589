"""Tools for building fixtures and samples (speech synthesis, test media); not installed."""
