"""The labeled dataset: built from root spans or imported from a file, split into dev and
test, and read back as the examples the judge is scored on."""
