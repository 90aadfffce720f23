#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Oracle for user/common/stats_slope.c: scipy.stats.theilslopes
(method='separate', every pair with distinct x).

Reads FILE: one case per line, "x1 x2 ... | y1 y2 ...".  Prints
"slope intercept" per case."""
import sys

from scipy.stats import theilslopes

from cases import pairs


def main(path):
    for x, y in pairs(path):
        r = theilslopes(y, x, method="separate")
        print(f"{r[0]!r} {r[1]!r}")


if __name__ == "__main__":
    main(sys.argv[1])
