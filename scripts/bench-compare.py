#!/usr/bin/env python3
"""make bench-compare: the time of `peelbench compare` of two results with
N samples per samples key (tests/oracle/bigresult.py: 6 keys, the new one
2% slower), all default metrics, for N = 10k, 100k, 1M.  "after" is
compare as it is (each resample's statistic drawn directly above
PB_BOOT_DIRECT_MIN samples); "before" is PEELBENCH_BOOT_FULL=1, every
resample drawn in full (the method before; at 1M it would take hours, so
it runs only where SIZES_BEFORE says).  Prints the median wall and CPU
time over the repeats.  Environment: REPEAT (5), REPEAT_BEFORE (1),
SIZES (10000,100000,1000000), SIZES_BEFORE (10000,100000).

BEFORE_BIN=PATH instead makes "before" another peelbench binary (an
older build, same method), run interleaved with this one, REPEAT pairs
per size in alternating order, and adds the median of the pairs' CPU
ratios (after/before) and whether the two printed the same comparison."""
import os, resource, statistics, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
work = os.path.join(root, 'build', 'bench-compare')
os.makedirs(work, exist_ok=True)
sizes = [int(s) for s in os.environ.get('SIZES', '10000,100000,1000000').split(',')]
before = [int(s) for s in os.environ.get('SIZES_BEFORE', '10000,100000').split(',') if s]
repeat = int(os.environ.get('REPEAT', '5'))
repeat_before = int(os.environ.get('REPEAT_BEFORE', '1'))


def files(n):
    out = []
    for name, seed, factor in (('base', 1, 1.0), ('new', 2, 1.02)):
        f = os.path.join(work, '%s-%d.json' % (name, n))
        if not os.path.exists(f):
            subprocess.run([sys.executable, os.path.join(root, 'tests/oracle/bigresult.py'),
                            str(n), str(seed), str(factor), f + '.tmp'], check=True)
            os.rename(f + '.tmp', f)
        out.append(f)
    return out


def once(n, full, binary):
    """One compare: wall, CPU, its output."""
    env = dict(os.environ, PEELBENCH_BOOT_FULL='1' if full else '0')
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run([binary, 'compare', *files(n)], env=env, stdout=subprocess.PIPE)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in (0, 1):
        sys.exit('peelbench: compare failed on %d samples (exit %d)' % (n, p.returncode))
    return wall, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime, p.stdout


def run(n, full, times):
    wall, cpu = [], []
    for _ in range(times):
        w, c, _ = once(n, full, os.path.join(root, 'peelbench'))
        wall.append(w)
        cpu.append(c)
    return statistics.median(wall), statistics.median(cpu)


def interleaved(n, before_bin):
    """REPEAT pairs, before and after in alternating order."""
    res = {'before': ([], []), 'after': ([], [])}
    ratios, same = [], True
    for i in range(repeat):
        order = [('before', before_bin), ('after', os.path.join(root, 'peelbench'))]
        out = {}
        for name, binary in (order if i % 2 == 0 else order[::-1]):
            w, c, out[name] = once(n, False, binary)
            res[name][0].append(w)
            res[name][1].append(c)
        ratios.append(res['after'][1][-1] / res['before'][1][-1])
        same = same and out['before'] == out['after']
    for name in ('before', 'after'):
        print('%-10d %-7s %7d %10.2f %10.2f' % (n, name, repeat, statistics.median(res[name][0]),
                                                statistics.median(res[name][1])), flush=True)
    print('%-10d cpu after/before: median %.3f of %d pairs (%s); output %s' %
          (n, statistics.median(ratios), repeat, ', '.join('%.3f' % r for r in ratios),
           'identical' if same else 'DIFFERS'), flush=True)


print('%-10s %-7s %7s %10s %10s' % ('samples', 'method', 'runs', 'wall (s)', 'cpu (s)'))
for n in sizes:
    files(n)
    if os.environ.get('BEFORE_BIN'):
        interleaved(n, os.environ['BEFORE_BIN'])
        continue
    for full, times in ((True, repeat_before), (False, repeat)):
        if full and n not in before:
            continue
        w, c = run(n, full, times)
        print('%-10d %-7s %7d %10.2f %10.2f' % (n, 'before' if full else 'after', times, w, c),
              flush=True)
