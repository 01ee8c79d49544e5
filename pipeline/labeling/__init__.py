"""Human labels: the terminal labeler, labels files, labels copied into the dataset, and
which traces a person should label next."""
