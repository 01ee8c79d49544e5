"""``make align``: the loop people walk by hand, done by the tool, honestly.

On the dev split only, k-fold cross-validation chooses among every judge mode's candidates
(:mod:`evaluators.modes`: each prompt version's word and P(helpful) against a threshold, the
checklist of a named checks module with a fixed or a fitted combination, the versions
stacked by logistic regression, few-shot); the winner, fitted on every dev row, is written
as the next prompt version and run once as a Phoenix experiment, which is the first time the
test split is read.
"""
