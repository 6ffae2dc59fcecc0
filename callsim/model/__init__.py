"""The model of one replication: callers, roster, the event engine and its collaborators.

Numpy in, numpy out: no pandas, no files, no printing."""
