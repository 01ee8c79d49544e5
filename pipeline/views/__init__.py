"""The top floor's drawing: every table, progress bar and printed report (rich). Logic
modules return data and report progress through :class:`pipeline.progress.Progress`; only
these modules print."""
