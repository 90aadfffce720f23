#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Oracle for user/common/stats_tests.c's Mann-Whitney U: scipy.stats.mannwhitneyu.

Reads FILE: one case per line, "x1 x2 ... | y1 y2 ...".  Prints one line
per case: "U1 p method" where U1 is U of x and method is exact or
asymptotic (what scipy's method='auto' chose)."""
import sys

from scipy.stats import mannwhitneyu
import numpy as np

from cases import pairs

try:  # private; only to show which method 'auto' picked
    from scipy.stats._mannwhitneyu import _mwu_choose_method
except ImportError:
    _mwu_choose_method = None


def main(path):
    for x, y in pairs(path):
        r = mannwhitneyu(x, y, alternative="two-sided", method="auto",
                         use_continuity=True)
        method = "?"
        if _mwu_choose_method:
            method = _mwu_choose_method(len(x), len(y),
                                        np.concatenate([x, y]), "auto")
        print(f"{r.statistic!r} {r.pvalue!r} {method}")

if __name__ == "__main__":
    main(sys.argv[1])
