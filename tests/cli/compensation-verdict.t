#!/usr/bin/env python3
# The verdict of the compensation proof (tests/vm/compensation.py) on
# made-up rounds, no guest: it accepts the right compensation and refuses
# one that subtracts nothing or twice the cost.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm"))
from compensation import selftest  # noqa: E402
from tap import count  # noqa: E402

selftest()
print("1..%d" % count())
