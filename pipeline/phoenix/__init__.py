"""Phoenix, one resource per module, all reached through one :class:`Phoenix` connection.

- :mod:`.connection`: the connection (client, async client, raw REST) and the UI links;
- :mod:`.spans`: root spans (their texts read by :mod:`.span_text`), whole traces, tool
  records, the project;
- :mod:`.annotations`: human and judge labels on spans, the label config the UI offers;
- :mod:`.datasets`: datasets and their examples;
- :mod:`.experiments`: judge experiments, their runs and evaluations;
- :mod:`.prompts`: judge prompt versions in the prompt store.
"""
