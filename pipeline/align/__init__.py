"""``make align``: the loop people walk by hand, done by the tool, honestly.

On the dev split only, k-fold cross-validation chooses among the prompt versions and scoring
modes (the word the model writes, P(helpful) against a threshold, the checklist with a
fixed or a fitted combination); the winner, fitted on every dev row, is written as the next
prompt version and run once as a Phoenix experiment, which is the first time the test split
is read.
"""
