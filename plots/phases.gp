# SPDX-License-Identifier: GPL-2.0
# Two or more results side by side: each phase's median with its 95%
# bootstrap CI as bars with error bars.
# Input: DATADIR/phases.csv (phase, then TAG_p50,TAG_lo,TAG_hi per result).
# Variables: tags (space-separated), n.
load plotdir.'/common.gp'
set title 'median time per peeloff phase, with 95% bootstrap CI'
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set xlabel 'peeloff phase'
set ylabel 'p50 time per call (ns)'
set xtics noenhanced
set yrange [0:*]
set key top right
f = sprintf('%s/phases.csv', datadir)
# Compensated rows ("P compensated") double the bars: their names would
# run into each other, so past six rows they are slanted.
stats f skip 1 using 2 nooutput
if (STATS_records > 6) set xtics rotate by -25 offset -1,0 left; set bmargin 8; set rmargin 12
plot for [i=0:n-1] f skip 1 using (column(2+3*i)):(column(3+3*i)):(column(4+3*i)):xtic(1) \
	title word(tags, i+1)
