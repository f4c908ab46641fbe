"""One module per notebook (``nbNN.py``) registering that notebook's exercise checks."""
