"""Drivers: module-level functions ``drive(fn, *plain_args)`` that build what an exercise's
function needs from plain data, call the learner's ``fn`` and return plain data.

They run where the learner's code runs (the notebook's kernel, or the grader's sandbox), so
they import only nnlib's non-answer parts and nothing from a check module or the registry: no
reference answer and no known mistake is ever within the learner's reach. One module per
notebook, ``drivers/nbNN.py``.
"""
