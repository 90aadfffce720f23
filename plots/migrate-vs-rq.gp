# SPDX-License-Identifier: GPL-2.0
# sctp_sock_migrate time against the parent socket's receive-queue length,
# one point per traced peeloff, with the least-squares line peelbench
# fitted (its slope is the cost of each queued chunk that migrates).
# Input: DATADIR/TAG.events.csv (parent_rq_len,...,migrate_ns in column 5).
# Variables: tag, slope, intercept, nfit, r2; ycol (column of the phase
# fitted: 5 migrate, 4 clone on 7.x where sctp_sock_migrate is inlined into
# sctp_clone_sock) and what (its name, enhanced-text escaped).
load plotdir.'/common.gp'
if (!exists('ycol')) ycol = 5
if (!exists('what')) what = 'sctp\_sock\_migrate'
set title sprintf("%s: %s cost vs parent receive-queue length\nslope %.1f ns per queued chunk", tag, what, slope)
set title enhanced
set xlabel 'chunks queued on the parent socket at peeloff (parent\_rq\_len)'
# A log time axis: the tail (TCG stalls, 100x the median) would otherwise
# squash every typical peeloff onto the x axis.  Points are translucent so
# that the density at each queue length shows.
set ylabel sprintf('%s time (ns, log scale)', what)
set logscale y
set format y '10^{%L}'
set xrange [0:*]
set offsets graph 0.02, graph 0.02, 0, 0
f(x) = intercept + slope * x
plot sprintf('%s/%s.events.csv', datadir, tag) skip 1 using 1:ycol \
	with points pt 7 ps 0.5 lc rgb '#a04477aa' title sprintf('%d peeloffs', nfit), \
	f(x) with lines lw 2 lc rgb '#cc3311' \
	title sprintf('fit: %.1f ns/chunk x + %.0f ns (r^2 %.2f)', slope, intercept, r2)
