"""The judge at work on new traces: its labels as span annotations, and the pass rate
corrected for its measured error rates."""
