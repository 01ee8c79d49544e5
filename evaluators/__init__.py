"""The judge: versioned prompt files, the judge call and its parsing, agreement metrics."""
