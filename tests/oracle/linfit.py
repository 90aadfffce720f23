#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Oracle for user/common/stats_tests.c's least squares: scipy.stats.linregress.

Reads FILE: one case per line, "x1 x2 ... | y1 y2 ...".  Prints
"slope intercept r2" per case."""
import sys

from scipy.stats import linregress

from cases import pairs


def main(path):
    for x, y in pairs(path):
        r = linregress(x, y)
        print(f"{r.slope!r} {r.intercept!r} {r.rvalue ** 2!r}")


if __name__ == "__main__":
    main(sys.argv[1])
