# SPDX-License-Identifier: GPL-2.0
"""The oracles' input: one case per line, "x1 x2 ... | y1 y2 ..."; blank
lines are skipped."""


def pairs(path):
    """Yield (x, y), two lists of floats, per case of FILE."""
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            xs, ys = line.split("|")
            yield [float(v) for v in xs.split()], [float(v) for v in ys.split()]
