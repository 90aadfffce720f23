# SPDX-License-Identifier: GPL-2.0
# sctp_sock_migrate time against the parent socket's receive-queue length,
# one point per traced peeloff, with the least-squares line peelbench
# fitted (its slope is the cost of each queued chunk that migrates).
# Input: DATADIR/TAG.events.csv (parent_rq_len,...,migrate_ns in column 5).
# Variables: tag, slope, intercept, nfit, r2.
load plotdir.'/common.gp'
set title sprintf('%s: sctp\_sock\_migrate cost vs parent receive-queue length (slope %.1f ns per chunk)', tag, slope)
set title enhanced
set xlabel 'chunks queued on the parent socket at peeloff (parent\_rq\_len)'
set ylabel 'sctp\_sock\_migrate time (ns)'
set xrange [0:*]
f(x) = intercept + slope * x
plot sprintf('%s/%s.events.csv', datadir, tag) skip 1 using 1:5 \
	with points pt 7 ps 0.6 lc rgb '#4477aa' title sprintf('%d peeloffs', nfit), \
	f(x) with lines lw 2 lc rgb '#cc3311' \
	title sprintf('fit: %.1f ns/chunk x + %.0f ns (r^2 %.2f)', slope, intercept, r2)
