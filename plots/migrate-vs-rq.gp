# SPDX-License-Identifier: GPL-2.0
# sctp_sock_migrate time against the parent socket's receive-queue length,
# one point per traced peeloff, with the Theil-Sen line peelbench fitted
# (its slope is the cost of each queued chunk that migrates: the result's
# migrate.per_queued_msg_ns) and the slope's bootstrap 95 % CI as a band:
# the lines of the CI's two slopes through the median point (xmed, ymed),
# which the Theil-Sen line passes through.
# Input: DATADIR/TAG.events.csv (parent_rq_len, then one column per phase).
# Variables: tag, slope, intercept, slope_lo, slope_hi, xmed, ymed, nfit;
# ycol (column of the phase fitted: 5 migrate, 4 clone on 7.x where
# sctp_sock_migrate is inlined into sctp_clone_sock) and what (its name,
# enhanced-text escaped).
load plotdir.'/common.gp'
if (!exists('ycol')) ycol = 5
if (!exists('what')) what = 'sctp\_sock\_migrate'
set title sprintf("%s: %s cost vs parent receive-queue length\nTheil-Sen slope %.1f ns per queued chunk, 95%% CI [%.1f, %.1f]", tag, what, slope, slope_lo, slope_hi)
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
lo(x) = ymed + slope_lo * (x - xmed)
hi(x) = ymed + slope_hi * (x - xmed)
# On a log axis a line that goes below 1 ns cannot be drawn: clip the band.
clip(y) = y < 1 ? 1 : y
plot sprintf('%s/%s.events.csv', datadir, tag) skip 1 using 1:ycol \
	with points pt 7 ps 0.5 lc rgb '#a04477aa' title sprintf('%d peeloffs', nfit), \
	'+' using 1:(clip(lo($1) < hi($1) ? lo($1) : hi($1))):(clip(lo($1) < hi($1) ? hi($1) : lo($1))) \
	with filledcurves lc rgb '#60cc3311' title sprintf('95%% CI of the slope [%.1f, %.1f]', slope_lo, slope_hi), \
	f(x) with lines lw 2 lc rgb '#cc3311' \
	title sprintf('Theil-Sen: %.1f ns/chunk x + %.0f ns', slope, intercept)
