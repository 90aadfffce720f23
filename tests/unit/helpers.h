/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the unit tests of the stats area: running the scipy
 * oracle scripts (tests/oracle/NAME.py) and the real ./peelbench binary.
 * Tests run from the checkout's root (scripts/run-tests.sh cds there). */
#ifndef PEELBENCH_TEST_HELPERS_H
#define PEELBENCH_TEST_HELPERS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A python3 with scipy: $PEELBENCH_PYTHON, else the first of python3 on
 * PATH and Debian's /usr/bin/python3 that imports scipy. */
static inline const char *oracle_python(void)
{
	static const char *found;
	static const char *cands[] = { "python3", "/usr/bin/python3" };
	char cmd[256];
	size_t i;

	if (found)
		return found;
	found = getenv("PEELBENCH_PYTHON");
	if (found)
		return found;
	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		snprintf(cmd, sizeof(cmd),
			 "%s -c 'import scipy' >/dev/null 2>&1", cands[i]);
		if (system(cmd) == 0)
			return found = cands[i];
	}
	return found = "python3";
}

/* Run tests/oracle/SCRIPT on an input file; returns a FILE to read its
 * lines from (pclose it). */
static inline FILE *oracle_run(const char *script, const char *input)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s tests/oracle/%s %s", oracle_python(),
		 script, input);
	return popen(cmd, "r");
}

/* Write "x ... | y ..." as one line. */
static inline void oracle_case(FILE *f, const double *x, size_t nx,
			       const double *y, size_t ny)
{
	size_t i;

	for (i = 0; i < nx; i++)
		fprintf(f, "%.17g ", x[i]);
	fputs("|", f);
	for (i = 0; i < ny; i++)
		fprintf(f, " %.17g", y[i]);
	fputc('\n', f);
}

/* Run a shell command line; its exit status, stdout and stderr (each
 * malloc'd, NUL-terminated) are returned. */
struct run_out {
	int status;
	char *out;
	char *err;
};

static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, n + 1);
	if (n > 0 && fread(buf, 1, n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static inline struct run_out run_cmd(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline struct run_out run_cmd(const char *fmt, ...)
{
	char line[4096], cmd[4400], o[64], e[64];
	struct run_out r;
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	snprintf(o, sizeof(o), "/tmp/pb-test-out.%d", (int)getpid());
	snprintf(e, sizeof(e), "/tmp/pb-test-err.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "%s >%s 2>%s", line, o, e);
	st = system(cmd);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r.out = slurp(o);
	r.err = slurp(e);
	unlink(o);
	unlink(e);
	return r;
}

static inline void run_free(struct run_out *r)
{
	free(r->out);
	free(r->err);
}

/* What a library call prints: capture_begin sends stdout and stderr to
 * files, capture_end restores them and fills r->out and r->err (r->status
 * is the caller's to set; run_free frees). */
struct capture {
	int saved_out, saved_err;
	char out[64], err[64];
};

static inline void capture_begin(struct capture *c)
{
	snprintf(c->out, sizeof(c->out), "/tmp/pb-test-cout.%d", (int)getpid());
	snprintf(c->err, sizeof(c->err), "/tmp/pb-test-cerr.%d", (int)getpid());
	fflush(NULL);
	c->saved_out = dup(1);
	c->saved_err = dup(2);
	if (!freopen(c->out, "w", stdout) || !freopen(c->err, "w", stderr))
		abort();
}

static inline void capture_end(struct capture *c, struct run_out *r)
{
	fflush(NULL);
	dup2(c->saved_out, 1);
	dup2(c->saved_err, 2);
	close(c->saved_out);
	close(c->saved_err);
	r->status = 0;
	r->out = slurp(c->out);
	r->err = slurp(c->err);
	unlink(c->out);
	unlink(c->err);
}

/* capture_end, keeping only stderr's text, in err (at most len - 1). */
static inline void capture_end_err(struct capture *c, char *err, size_t len)
{
	struct run_out r;

	capture_end(c, &r);
	snprintf(err, len, "%s", r.err ? r.err : "");
	run_free(&r);
}

static inline int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A fresh scratch folder under /tmp, removed by rm_rf. */
static inline char *scratch_dir(void)
{
	char tmpl[] = "/tmp/pb-test-XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static inline void rm_rf(char *dir)
{
	char cmd[300];

	if (!dir)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	free(dir);
}

#endif
