"""logsgd.tui: the command line and the Textual app that shows what logsgd.core computes."""

import os

# numpy's OpenBLAS starts a thread per core when numpy is imported, which made the import
# 9 ms slower (45 ms instead of 36, twice the CPU time, the other core spinning) and
# bought nothing: the engine's products (100,000 x 3 at most, per step) run as fast on one
# thread. Set before core imports numpy; a value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
