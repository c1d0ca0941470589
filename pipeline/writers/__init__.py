"""The writers: one class per output format, rendering a finished Draft."""
