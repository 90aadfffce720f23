# SPDX-License-Identifier: GPL-2.0
# Per-phase latency CDF of one result, log-scaled time; dashed lines at
# p50 and p99.
# Input: DATADIR/TAG.phase-PHASE.csv (lower_ns,upper_ns,count,fraction,cdf).
# Variables: tag, phases (space-separated).
load plotdir.'/common.gp'
set title sprintf('%s: time per peeloff phase (CDF)', tag)
set logscale x 10
set format x '10^{%L}'
set xlabel 'time per call (ns, log scale)'
set ylabel 'fraction of calls at most this long'
set yrange [0:1.02]
set key bottom right
set arrow from graph 0, first 0.5 to graph 1, first 0.5 nohead dt 2 lc rgb 'gray40'
set arrow from graph 0, first 0.99 to graph 1, first 0.99 nohead dt 2 lc rgb 'gray40'
set label 'p50' at graph 0.01, first 0.53
set label 'p99' at graph 0.01, first 0.96
file(p) = sprintf('%s/%s.phase-%s.csv', datadir, tag, p)
plot for [i=1:words(phases)] file(word(phases, i)) skip 1 \
	using 2:5 with steps lw 2 lc i title word(phases, i)
