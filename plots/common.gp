# SPDX-License-Identifier: GPL-2.0
# Shared by every peelbench figure.  peelbench sets: fmt ('png' or 'svg'),
# pngterm ('pngcairo', or 'png' where cairo is missing), out (the file),
# datadir (the CSV tables), plotdir (this folder).  Every figure is
# 1024x640 so that tests can check the PNG size.
if (fmt eq 'svg') {
	set terminal svg size 1024,640 enhanced font 'Sans,11' background rgb 'white'
} else {
	if (pngterm eq 'pngcairo') {
		set terminal pngcairo size 1024,640 enhanced font 'Sans,11'
	} else {
		set terminal png size 1024,640
	}
}
set output out
set datafile separator ','
set datafile missing 'NaN'
set grid
set key top left box opaque noenhanced
set title noenhanced
