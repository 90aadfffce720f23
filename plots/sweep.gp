# SPDX-License-Identifier: GPL-2.0
# Peeloff throughput and user-side p99 latency against the number of
# associations on the one-to-many socket, each with its 95% bootstrap CI.
# Input: DATADIR/sweep.csv
#   (assocs,tag,peel_per_s,peel_lo,peel_hi,p99_ns,p99_lo,p99_hi).
load plotdir.'/common.gp'
set title 'peeloff throughput and p99 latency vs associations (95% CI)'
set logscale x 2
set xlabel 'associations on the one-to-many socket (config.assocs, log scale)'
set ylabel 'peeloffs per second'
set y2label 'peeloff latency p99 (µs)'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set key top right
f = sprintf('%s/sweep.csv', datadir)
plot f skip 1 using 1:3:4:5 with yerrorlines pt 7 lw 2 lc rgb '#4477aa' \
	title 'peel_per_s (left)', \
	f skip 1 using 1:($6/1000):($7/1000):($8/1000) axes x1y2 \
	with yerrorlines pt 5 lw 2 lc rgb '#cc3311' title 'latency.p99 (right)'
