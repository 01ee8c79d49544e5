"""A judge prompt version run as a Phoenix experiment over the labeled dataset: the
concurrent, resumable runner, the report computed from what Phoenix stored, and the
comparison of every version."""
