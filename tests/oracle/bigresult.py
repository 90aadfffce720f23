#!/usr/bin/env python3
"""A result file with N samples per samples key (bench-compare, coverage):
tests/fixtures/base.json's metrics and rounds, its samples replaced by N
lognormal draws per key around the key's median in base.json (shape 0.25,
with a 1% tail 4x slower), times FACTOR.  Usage: bigresult.py N SEED FACTOR OUT"""
import json, math, random, sys

n, seed, factor, out = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
root = __file__.rsplit('/', 3)[0] if '/' in __file__ else '../..'
d = json.load(open(root + '/tests/fixtures/base.json'))
rng = random.Random(seed)
for k, v in d['samples'].items():
    med = sorted(v)[len(v) // 2] * factor
    lv = rng.lognormvariate
    d['samples'][k] = [round(med * lv(0, 0.25) * (4 if rng.random() < 0.01 else 1))
                       for _ in range(n)]
d['trace'].pop('events', None)
with open(out, 'w') as f:
    json.dump(d, f, separators=(',', ':'))
