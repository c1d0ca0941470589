"""The review server and the editor's changes: the edits model (pure) and the HTTP side."""
