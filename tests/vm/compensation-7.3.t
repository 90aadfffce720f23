#!/usr/bin/env python3
# Compensation, proved in a 7.3 guest, in make test (tests/vm/compensation.py).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compensation import main  # noqa: E402

sys.exit(main("7.3"))
