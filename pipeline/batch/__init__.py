"""Batches over a folder, locally or on a Dask cluster, wrapping the per-file pipeline."""
