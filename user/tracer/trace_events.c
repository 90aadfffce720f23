// SPDX-License-Identifier: GPL-2.0
/* The events stream (--events, trace.h): every event from the ring buffer
 * is written at once as one JSON line to the sidecar file (a temporary
 * file beside it until tracer_events_commit renames it into place), and
 * only its phase times are kept, 4 bytes each, for the exact percentiles.
 * A million peeloffs cost the tracer some 20 to 40 MB, not the gigabytes
 * that keeping every event (and its JSON) cost. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "peelbench.h"
#include "stats.h"
#include "trace_priv.h"
#include "zstd_file.h"

int tev_open(struct tracer *t, const char *path)
{
	struct tev *e = &t->tev;
	int fd, err;

	e->fd_ok = false;
	if (!path)
		return 0;
	if (pb_special_file(path)) {
		pb_err("%s: not a regular file; refusing to replace it", path);
		return PB_EXIT_USAGE;
	}
	if ((err = pb_ensure_parent_dir(path))) {
		pb_err("cannot create the folder of %s: %s", path, strerror(-err));
		return PB_EXIT_RUNTIME;
	}
	if (snprintf(e->path, sizeof(e->path), "%s", path) >= (int)sizeof(e->path) ||
	    snprintf(e->tmp, sizeof(e->tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(e->tmp)) {
		pb_err("path too long: %s", path);
		return PB_EXIT_USAGE;
	}
	/* "NAME.zst": compressed as it is written (--events-zstd) */
	e->zst = pb_zstd_name(path);
	fd = mkstemp(e->tmp);
	if (fd < 0 || !(e->f = e->zst ? pb_zstd_writer(fd) : fdopen(fd, "w"))) {
		pb_err("cannot write %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(e->tmp);
		}
		return PB_EXIT_RUNTIME;
	}
	setvbuf(e->f, NULL, _IOFBF, 1 << 20);
	e->fd_ok = true;
	return 0;
}

const char *tev_file_name(const struct tracer *t)
{
	const char *s = strrchr(t->tev.path, '/');

	return t->tev.path[0] ? (s ? s + 1 : t->tev.path) : NULL;
}

static void keep(struct tev_values *x, __u64 ns)
{
	uint32_t *v;

	if (x->over)
		return;
	if (ns > UINT32_MAX) {	/* above 4.29 s: percentiles from the histogram */
		x->over = true;
		return;
	}
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 4096;

		v = realloc(x->v, cap * sizeof(*v));
		if (!v) {
			x->over = true;
			return;
		}
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = (uint32_t)ns;
	x->sorted = false;
}

/* One event as a JSON line: the keys README "Result schema" lists. */
static void write_line(FILE *f, const struct pb_event *e, bool comp)
{
	__u32 ph;

	fprintf(f, "{\"pid\":%u,\"tid\":%u,\"assoc_id\":%d,\"flags\":%u,\"ret\":%d,\"errno\":",
		e->pid, e->tid, e->assoc_id, e->flags, e->ret);
	if (e->ret < 0)
		fprintf(f, "\"%s\"", pb_errno_name(-e->ret));
	else
		fputs("null", f);
	for (ph = 0; ph < PB_PH_MAX; ph++) {
		bool m = e->phase_mask & (1u << ph);

		fprintf(f, m ? ",\"%s_ns\":%llu" : ",\"%s_ns\":null", probe_phase_name(ph),
			(unsigned long long)e->dur_ns[ph]);
		if (comp)
			fprintf(f, m ? ",\"%s_comp_ns\":%llu" : ",\"%s_comp_ns\":null",
				probe_phase_name(ph), (unsigned long long)e->comp_ns[ph]);
	}
	if (e->feat_ok) {
		fprintf(f, ",\"parent_rq_len\":%u,\"parent_rq_bytes\":%llu,\"rmem\":%lld,"
			"\"wmem\":%lld,\"asoc_lobby\":%u,\"asoc_reasm\":%u,\"asoc_outq\":%u,"
			"\"asoc_transmitted\":%u", e->parent_rq_len,
			(unsigned long long)e->parent_rq_bytes, (long long)e->rmem,
			(long long)e->wmem, e->asoc_lobby, e->asoc_reasm, e->asoc_outq,
			e->asoc_transmitted);
		/* ep->asocs is walked only with --walk-cap N */
		if (e->walk_capped & 4)
			fprintf(f, ",\"assocs\":%u,\"assocs_capped\":%s", e->assocs,
				e->walk_capped & 1 ? "true" : "false");
		else
			fputs(",\"assocs\":null,\"assocs_capped\":null", f);
		fprintf(f, ",\"rq_bytes_capped\":%s,\"feature_read_ns\":%llu",
			e->walk_capped & 2 ? "true" : "false", (unsigned long long)e->feat_ns);
	}
	fputs("}\n", f);
}

void tev_add(struct tracer *t, const struct pb_event *e, bool comp)
{
	struct tev *s = &t->tev;
	__u32 ph;

	s->received++;
	if (s->fd_ok && !s->err) {
		write_line(s->f, e, comp);
		if (ferror(s->f))
			s->err = errno ? errno : EIO;
	}
	if (e->ret < 0)
		return;
	for (ph = 0; ph < PB_PH_MAX; ph++) {
		if (!(e->phase_mask & (1u << ph)))
			continue;
		keep(&s->x[0][ph], e->dur_ns[ph]);
		if (comp)
			keep(&s->x[1][ph], e->comp_ns[ph]);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

bool tev_percentile(struct tracer *t, __u32 ph, bool comp, double q, uint64_t *out)
{
	struct tev_values *x = &t->tev.x[comp][ph];

	if (x->over || !x->n)
		return false;
	if (!x->sorted) {
		qsort(x->v, x->n, sizeof(*x->v), cmp_u32);
		x->sorted = true;
	}
	*out = x->v[pb_nearest_rank(x->n, q) - 1];
	return true;
}

int tev_commit(struct tracer *t)
{
	struct tev *s = &t->tev;
	int err = s->err;

	if (!s->fd_ok)
		return 0;
	/* a zstd stream ends its frame, fsyncs and closes at fclose */
	if (fflush(s->f) || (!s->zst && fsync(fileno(s->f))))
		err = err ? err : errno;
	if (fclose(s->f) && !err)
		err = errno;
	s->f = NULL;
	s->fd_ok = false;
	if (!err && (fchmodat(AT_FDCWD, s->tmp, 0644, 0) || rename(s->tmp, s->path)))
		err = errno;
	if (err) {
		unlink(s->tmp);
		pb_err("cannot write %s: %s", s->path, strerror(err));
		return PB_EXIT_RUNTIME;
	}
	pb_chown_to_caller(s->path);
	s->committed = true;
	return 0;
}

void tev_close(struct tracer *t)
{
	struct tev *s = &t->tev;
	int i;
	__u32 ph;

	if (s->f) {
		fclose(s->f);
		unlink(s->tmp);
	}
	for (i = 0; i < 2; i++)
		for (ph = 0; ph < PB_PH_MAX; ph++)
			free(s->x[i][ph].v);
	memset(s, 0, sizeof(*s));
}
