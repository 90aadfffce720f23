# SPDX-License-Identifier: GPL-2.0
# Per-phase latency histogram of one result, log-scaled time.
# Input: DATADIR/TAG.phase-PHASE.csv (lower_ns,upper_ns,count,fraction,cdf).
# Variables: tag, phases (space-separated).
load plotdir.'/common.gp'
set title sprintf('%s: time per peeloff phase (histogram of the tracer buckets)', tag)
set logscale x 10
set format x '10^{%L}'
set xlabel 'time per call (ns, log scale)'
set ylabel 'fraction of calls'
set yrange [0:*]
set style fill transparent solid 0.35 border
file(p) = sprintf('%s/%s.phase-%s.csv', datadir, tag, p)
plot for [i=1:words(phases)] file(word(phases, i)) skip 1 \
	using (sqrt($1*$2)):($4/2):1:2:(0):4 with boxxyerror lc i \
	title word(phases, i)
