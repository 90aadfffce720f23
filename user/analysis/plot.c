// SPDX-License-Identifier: GPL-2.0
/* The plot engine (plot.h): writes the tables of export.h into DIR/data
 * and has gnuplot draw plots/NAME.gp from them, each figure as PNG and
 * SVG, written atomically. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "export.h"
#include "history.h"
#include "migration_fit.h"
#include "peelbench.h"
#include "phase.h"
#include "plot.h"
#include "result.h"
#include "stats.h"

struct plotter {
	char gnuplot[PATH_MAX];
	char plotdir[PATH_MAX];
	char datadir[PATH_MAX];
	const char *outdir;
	const char *pngterm;	/* pngcairo, or png where cairo is missing */
	int figures;
};

static bool executable(const char *p)
{
	struct stat sb;

	return !stat(p, &sb) && S_ISREG(sb.st_mode) && !access(p, X_OK);
}

/* $PEELBENCH_GNUPLOT, else gnuplot on PATH. */
static bool find_gnuplot(char *out, size_t size)
{
	const char *env = getenv("PEELBENCH_GNUPLOT"), *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (env && *env) {
		snprintf(out, size, "%s", env);
		return executable(out);
	}
	if (!path || !(copy = strdup(path)))
		return false;
	for (dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/gnuplot", *dir ? dir : ".");
		found = executable(out);
	}
	free(copy);
	return found;
}

/* plots/ beside the binary (the checkout), else ./plots; $PEELBENCH_PLOTS
 * overrides. */
static void find_plotdir(char *out, size_t size)
{
	const char *env = getenv("PEELBENCH_PLOTS");
	struct stat sb;

	if (env && *env) {
		snprintf(out, size, "%s", env);
		return;
	}
	if (pb.root) {
		snprintf(out, size, "%s/plots", pb.root);
		if (!stat(out, &sb) && S_ISDIR(sb.st_mode))
			return;
	}
	snprintf(out, size, "plots");
}

/* Run gnuplot; its stderr goes to DATADIR/gnuplot.log, whose first line
 * is quoted on failure. */
static int run_gnuplot(struct plotter *p, const char *vars, const char *script,
		       bool quiet)
{
	char log[PATH_MAX + 16], scr[PATH_MAX + 64];
	int status;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/gnuplot.log", p->datadir);
	snprintf(scr, sizeof(scr), "%s/%s", p->plotdir, script);
	fflush(NULL);	/* or the child flushes our buffered stdout too */
	pid = fork();
	if (pid < 0) {
		pb_err("plot: cannot fork gnuplot: %s", strerror(errno));
		return PB_EXIT_RUNTIME;
	}
	if (!pid) {
		if (!freopen("/dev/null", "w", stdout) ||
		    !freopen(quiet ? "/dev/null" : log, "w", stderr))
			_exit(127);
		if (script[0])
			execl(p->gnuplot, "gnuplot", "-e", vars, scr, (char *)NULL);
		else
			execl(p->gnuplot, "gnuplot", "-e", vars, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return PB_EXIT_RUNTIME;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (!quiet) {
		char line[300] = "", *nl;
		FILE *f = fopen(log, "r");

		while (f && fgets(line, sizeof(line), f))
			if (line[0] != '\n')
				break;
		if (f)
			fclose(f);
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		pb_err("plot: gnuplot failed on %s: %s", scr,
		       line[0] ? line : "no message");
	}
	return PB_EXIT_RUNTIME;
}

static bool quote_safe(const char *s)
{
	return !strchr(s, '\'') && !strchr(s, '\n');
}

/* gnuplot exits 0 when its write failed (a full disk): a figure is taken
 * only when the file ends as its format ends, PNG with its IEND chunk,
 * SVG with "</svg>". */
static bool figure_complete(const char *path, const char *kind)
{
	static const unsigned char iend[] = { 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
	bool png = !strcmp(kind, "png");
	unsigned char tail[64];
	size_t n = 0;
	FILE *f = fopen(path, "rb");

	if (f && !fseek(f, -(long)sizeof(tail), SEEK_END))
		n = fread(tail, 1, sizeof(tail), f);
	else if (f && !fseek(f, 0, SEEK_SET))
		n = fread(tail, 1, sizeof(tail), f);
	if (f)
		fclose(f);
	while (!png && n && (tail[n - 1] == '\n' || tail[n - 1] == ' '))
		n--;
	if (png)
		return n >= sizeof(iend) && !memcmp(tail + n - sizeof(iend), iend, sizeof(iend));
	return n >= 6 && !memcmp(tail + n - 6, "</svg>", 6);
}

/* One figure, as PNG and SVG: OUT/NAME.{png,svg}. */
static int figure(struct plotter *p, const char *script, const char *name,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int figure(struct plotter *p, const char *script, const char *name,
		  const char *fmt, ...)
{
	static const char *const kinds[] = { "png", "svg" };
	char extra[2048], vars[16384], out[PATH_MAX], tmp[PATH_MAX + 16];
	va_list ap;
	size_t i;
	int ret;

	va_start(ap, fmt);
	vsnprintf(extra, sizeof(extra), fmt, ap);
	va_end(ap);
	for (i = 0; i < 2; i++) {
		snprintf(out, sizeof(out), "%s/%s.%s", p->outdir, name, kinds[i]);
		snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid());
		if (snprintf(vars, sizeof(vars),
			     "fmt='%s'; pngterm='%s'; out='%s'; datadir='%s'; "
			     "plotdir='%s'; %s", kinds[i], p->pngterm, tmp,
			     p->datadir, p->plotdir, extra) >= (int)sizeof(vars)) {
			pb_err("plot: folder names too long for gnuplot");
			return PB_EXIT_USAGE;
		}
		ret = run_gnuplot(p, vars, script, false);
		if (!ret && !figure_complete(tmp, kinds[i])) {
			pb_err("plot: gnuplot could not write %s whole (is the disk full?)", out);
			ret = PB_EXIT_RUNTIME;
		}
		if (!ret && rename(tmp, out)) {
			pb_err("plot: cannot rename %s to %s: %s", tmp, out,
			       strerror(errno));
			ret = PB_EXIT_RUNTIME;
		}
		if (ret) {
			unlink(tmp);
			return ret;
		}
	}
	printf("wrote %s/%s.png and .svg\n", p->outdir, name);
	p->figures++;
	return 0;
}

static void phase_list(const struct pb_result *r, char *buf, size_t size)
{
	struct json_object *phases;
	size_t i, off = 0;

	buf[0] = '\0';
	if (!r->trace || !json_object_object_get_ex(r->trace, "phases", &phases))
		return;
	/* kernel nesting order first, then any phase we do not know */
	for (i = 0; i < PB_PH_MAX; i++)
		if (json_object_object_get_ex(phases, pb_phase_name(i), NULL))
			off += snprintf(buf + off, off < size ? size - off : 0,
					"%s%s", off ? " " : "", pb_phase_name(i));
	json_object_object_foreach(phases, k, v) {
		(void)v;
		for (i = 0; i < PB_PH_MAX && strcmp(k, pb_phase_name(i)); i++)
			;
		if (i == PB_PH_MAX && quote_safe(k) && !strchr(k, ' '))
			off += snprintf(buf + off, off < size ? size - off : 0,
					"%s%s", off ? " " : "", k);
	}
}

/* The migration fit (migration_fit.h: the same figure as the result's
 * migrate.per_queued_msg_ns) drawn over TAG.events.csv, with its CI band:
 * the lines of the CI's two slopes through the median point. */
static int plot_migration(struct plotter *p, const struct pb_result *r)
{
	struct pb_migration_fit f;
	const struct pb_slope *s = &f.fit;
	const char *what = "sctp_sock_migrate", *gwhat = "sctp\\_sock\\_migrate";
	char name[512];
	unsigned int ycol;
	int ret;

	if ((ret = pb_migration_fit(r->trace, r->path, &f)) || !f.ok)
		return ret;
	/* the column of TAG.events.csv: parent_rq_len, then the phases */
	for (ycol = 0; ycol < PB_PH_MAX && strcmp(pb_phase_name(ycol), f.phase); ycol++)
		;
	if (!strcmp(f.phase, "clone")) {
		what = "the clone phase (sctp_clone_sock, sctp_sock_migrate inlined)";
		gwhat = "sctp\\_clone\\_sock (migrate inlined)";
	} else if (strcmp(f.phase, "migrate")) {
		what = gwhat = f.phase;
	}
	snprintf(name, sizeof(name), "%s-migrate-vs-rq", r->tag);
	if ((ret = figure(p, "migrate-vs-rq.gp", name,
			  "tag='%s'; slope=%.17g; intercept=%.17g; slope_lo=%.17g; slope_hi=%.17g; "
			  "xmed=%.17g; ymed=%.17g; nfit=%zu; ycol=%u; what='%s'",
			  r->tag, s->slope, s->intercept, s->ci.lo, s->ci.hi, s->x_med, s->y_med,
			  s->n, ycol + 2, gwhat)))
		return ret;
	printf("%s: %s costs %.1f ns [%.1f, %.1f] more per chunk queued on the parent "
	       "(Theil-Sen, intercept %.0f ns, %zu peeloffs)\n",
	       r->tag, what, s->slope, s->ci.lo, s->ci.hi, s->intercept, s->n);
	return 0;
}

static int plot_result(struct plotter *p, const struct pb_result *r)
{
	char phases[512], name[512];
	int ret;

	phase_list(r, phases, sizeof(phases));
	if (phases[0]) {
		snprintf(name, sizeof(name), "%s-phase-hist", r->tag);
		if ((ret = figure(p, "phase-hist.gp", name, "tag='%s'; phases='%s'",
				  r->tag, phases)))
			return ret;
		snprintf(name, sizeof(name), "%s-phase-cdf", r->tag);
		if ((ret = figure(p, "phase-cdf.gp", name, "tag='%s'; phases='%s'",
				  r->tag, phases)))
			return ret;
	}
	return plot_migration(p, r);
}

/* Keep the series (machine, kernel, config) of the newest point, as
 * `history check` never looks across them; says so when others are left
 * out.  Returns how many points are kept, in place, oldest first. */
static size_t newest_series(struct pb_history_point *pts, size_t n, const char *metric)
{
	uint64_t s = pts[n - 1].series;
	size_t i, m = 0;

	for (i = 0; i < n; i++)
		if (pts[i].series == s)
			pts[m++] = pts[i];
	if (m < n)
		fprintf(stderr, "peelbench: plot: history-%s shows the newest series, machine %s, "
			"kernel %s (%zu of %zu results); 'history check' lists them all\n",
			metric, *pts[0].machine_label ? pts[0].machine_label :
			*pts[0].machine ? pts[0].machine : "-", pts[0].kernel, m, n);
	return m;
}

static int plot_history(struct plotter *p, const char *db, const char *kernel,
			const char *metric, double alpha)
{
	struct pb_cp cps[PB_HISTORY_MAX_CHANGE_POINTS];
	struct pb_history_point *pts = NULL;
	char name[512];
	size_t n;
	int ret, k;

	if (!quote_safe(metric)) {
		pb_err("plot: metric name '%s' cannot be plotted", metric);
		return PB_EXIT_USAGE;
	}
	if ((ret = pb_history_load_series(db, metric, kernel, &pts, &n)))
		return ret;
	if (!n) {
		pb_history_display(db, name, sizeof(name));
		pb_err("plot: no result in %s has metric '%s'", name, metric);
		free(pts);
		return PB_EXIT_USAGE;
	}
	n = newest_series(pts, n, metric);
	/* the defaults of `history check` */
	k = pb_history_change_points(pts, n, alpha, 199, 1, 5, cps,
				     PB_HISTORY_MAX_CHANGE_POINTS);
	if (k < 0) {
		pb_err("plot: out of memory");
		free(pts);
		return PB_EXIT_RUNTIME;
	}
	ret = pb_export_history(metric, pts, n, cps, k, p->datadir);
	free(pts);
	if (ret)
		return ret;
	snprintf(name, sizeof(name), "history-%s", metric);
	return figure(p, "history.gp", name, "metric='%s'; ncp=%d", metric, k);
}

/* The phases figure needs at least one traced result (a --no-trace run
 * has no phase metrics, and gnuplot fails on an all-empty table). */
static bool any_phase_metric(struct pb_result *const *rs, size_t n)
{
	char metric[64];
	size_t i, j;
	double v;

	for (j = 0; j < PB_PH_MAX; j++) {
		snprintf(metric, sizeof(metric), "phase.%s.p50_ns", pb_phase_name(j));
		for (i = 0; i < n; i++)
			if (pb_result_metric(rs[i], metric, &v))
				return true;
	}
	return false;
}

static int distinct_assocs(struct pb_result *const *rs, size_t n)
{
	double seen[2] = { NAN, NAN };
	struct json_object *o;
	size_t i;

	for (i = 0; i < n; i++) {
		double a;

		if (!rs[i]->config ||
		    !json_object_object_get_ex(rs[i]->config, "assocs", &o))
			continue;
		a = json_object_get_double(o);
		if (isnan(seen[0]))
			seen[0] = a;
		else if (a != seen[0])
			return 2;
	}
	return isnan(seen[0]) ? 0 : 1;
}

/* gnuplot, plots/ and the folders, checked before anything is read. */
static int plotter_init(struct plotter *p, const struct pb_plot_cfg *cfg,
			size_t nfiles)
{
	memset(p, 0, sizeof(*p));
	p->outdir = cfg->outdir;
	if (!nfiles && !cfg->history) {
		pb_err("plot: no result files and no --history METRIC");
		return PB_EXIT_USAGE;
	}
	if (!find_gnuplot(p->gnuplot, sizeof(p->gnuplot))) {
		pb_err("plot: gnuplot not found on PATH; install gnuplot-nox ('make deps')");
		return PB_EXIT_USAGE;
	}
	find_plotdir(p->plotdir, sizeof(p->plotdir));
	snprintf(p->datadir, sizeof(p->datadir), "%s/data", p->outdir);
	if (!quote_safe(p->outdir) || !quote_safe(p->plotdir)) {
		pb_err("plot: folder names with a quote cannot be handed to gnuplot");
		return PB_EXIT_USAGE;
	}
	return 0;
}

/* Load every file into rs[0..n); *n counts what was loaded. */
static int load_results(const char *const *files, size_t nfiles,
			struct pb_result **rs, size_t *n)
{
	size_t i;
	int ret;

	for (*n = 0; *n < nfiles; (*n)++)
		if ((ret = pb_result_load_ex(files[*n], PB_LOAD_COMPACT, &rs[*n])))
			return ret;
	if ((ret = pb_export_tags_distinct(rs, *n, "plot")))
		return ret;
	for (i = 0; i < *n; i++)
		if (!quote_safe(rs[i]->tag) || strchr(rs[i]->tag, ' ')) {
			pb_err("plot: %s: file names with quotes or spaces cannot be plotted",
			       rs[i]->path);
			return PB_EXIT_USAGE;
		}
	return 0;
}

/* The figures over all results: phases (2+ traced results), sweep (2+
 * association counts). */
static int plot_all(struct plotter *p, struct pb_result *const *rs, size_t n)
{
	char tags[2048];
	size_t i, rows, off = 0;
	int ret;

	if (n >= 2 && any_phase_metric(rs, n)) {
		for (i = 0; i < n; i++)
			off += snprintf(tags + off, off < sizeof(tags) ? sizeof(tags) - off : 0,
					"%s%s", i ? " " : "", rs[i]->tag);
		if ((ret = pb_export_phases(rs, n, p->datadir)) ||
		    (ret = figure(p, "phases.gp", "phases", "tags='%s'; n=%zu",
				  tags, n)))
			return ret;
	}
	if (distinct_assocs(rs, n) == 2) {
		if ((ret = pb_export_sweep(rs, n, p->datadir, &rows)) ||
		    (ret = figure(p, "sweep.gp", "sweep", "nrows=%zu", rows)))
			return ret;
	}
	return 0;
}

static int draw(struct plotter *p, const struct pb_plot_cfg *cfg,
		struct pb_result *const *rs, size_t n)
{
	size_t i;
	int ret;

	if ((mkdir(p->outdir, 0775) && errno != EEXIST) ||
	    (mkdir(p->datadir, 0775) && errno != EEXIST)) {
		pb_err("plot: cannot create %s: %s", p->datadir, strerror(errno));
		return PB_EXIT_RUNTIME;
	}
	/* Debian's gnuplot-nox has pngcairo; other builds may only have png. */
	p->pngterm = run_gnuplot(p, "set terminal pngcairo", "", true) ?
		     "png" : "pngcairo";
	for (i = 0; i < n; i++)
		if ((ret = pb_export_result(rs[i], p->datadir, NULL)) ||
		    (ret = plot_result(p, rs[i])))
			return ret;
	if ((ret = plot_all(p, rs, n)))
		return ret;
	if (cfg->history &&
	    (ret = plot_history(p, cfg->db, cfg->kernel, cfg->history, cfg->alpha)))
		return ret;
	printf("%d figure%s in %s\n", p->figures, p->figures == 1 ? "" : "s", p->outdir);
	return 0;
}

int pb_plot(const struct pb_plot_cfg *cfg, const char *const *files, size_t nfiles)
{
	struct pb_result **rs;
	struct plotter p;
	size_t n = 0, i;
	int ret;

	if ((ret = plotter_init(&p, cfg, nfiles)))
		return ret;
	rs = calloc(nfiles + 1, sizeof(*rs));
	if (!rs) {
		pb_err("plot: out of memory");
		return PB_EXIT_RUNTIME;
	}
	if (!(ret = load_results(files, nfiles, rs, &n)))
		ret = draw(&p, cfg, rs, n);
	for (i = 0; i < n; i++)
		pb_result_free(rs[i]);
	free(rs);
	return ret;
}
