# SPDX-License-Identifier: GPL-2.0
# One metric over time from the history database, the mean of each segment
# between change points, and the change points (E-divisive) with their
# change in %.
# Input: DATADIR/history-METRIC.csv (index,time,value,segment_mean,change_pct).
# Variables: metric, ncp.
load plotdir.'/common.gp'
set title sprintf('%s over time: %d change point%s', metric, ncp, ncp == 1 ? '' : 's')
set xdata time
set timefmt '%Y-%m-%dT%H:%M:%SZ'
set format x "%m-%d\n%H:%M:%S"
set xlabel 'result created (UTC)'
# gnuplot substrings are 1-based and inclusive: the last 2 chars are [n-1:]
unit = metric[strlen(metric)-1:] eq 'ns' ? 'ns' : (metric[strlen(metric)-3:] eq 'er_s' ? 'per second' : '')
set ylabel sprintf('%s (%s)', metric, unit) noenhanced
set key top left
f = sprintf('%s/history-%s.csv', datadir, metric)
cp(x) = (x == x) ? 1 : 0
plot f skip 1 using 2:3 with linespoints pt 7 ps 0.7 lc rgb '#4477aa' title metric, \
	f skip 1 using 2:4 with steps lw 2 dt 2 lc rgb 'gray30' title 'segment mean', \
	f skip 1 using 2:(cp($5) ? $3 : NaN) with points pt 9 ps 2.5 lc rgb '#cc3311' \
	title 'change point', \
	f skip 1 using 2:(cp($5) ? $3 : NaN):(sprintf('%+.1f%%', $5)) with labels \
	offset 0,1.5 textcolor rgb '#cc3311' notitle
