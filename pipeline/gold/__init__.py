"""The gold set: recorded agent traces and the labels people wrote for them, kept as files
in ``gold/`` (the file format), recorded from a Phoenix project, and loaded into one."""
