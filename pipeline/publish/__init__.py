"""Publishing a finished draft: to WordPress through its REST API, or as a WXR export file."""
