#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Oracle for user/common/stats_tests.c's Welch t-test: scipy.stats.ttest_ind with
equal_var=False.

Reads FILE: one case per line, "a1 a2 ... | b1 b2 ...".  Prints one line
per case: "t df p" (df by the Welch-Satterthwaite formula, which scipy
uses internally)."""
import sys

import numpy as np
from scipy.stats import ttest_ind

from cases import pairs


def main(path):
    for x, y in pairs(path):
        a, b = np.array(x), np.array(y)
        r = ttest_ind(a, b, equal_var=False)
        va = a.var(ddof=1) / len(a)
        vb = b.var(ddof=1) / len(b)
        df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
        print(f"{r.statistic!r} {df!r} {r.pvalue!r}")


if __name__ == "__main__":
    main(sys.argv[1])
