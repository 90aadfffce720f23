// SPDX-License-Identifier: GPL-2.0
/* zstd streams behind stdio; see zstd_file.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "zstd_file.h"

static char last_error[160];

const char *pb_zstd_error(void)
{
	return last_error;
}

static void fail(const char *what, size_t code)
{
	if (code)
		snprintf(last_error, sizeof(last_error), "%s: %s", what, ZSTD_getErrorName(code));
	else
		snprintf(last_error, sizeof(last_error), "%s", what);
	errno = EIO;
}

bool pb_zstd_name(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && !strcmp(name + n - 4, ".zst");
}

bool pb_zstd_magic(int fd)
{
	static const unsigned char magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	unsigned char b[4];

	return pread(fd, b, sizeof(b), 0) == sizeof(b) && !memcmp(b, magic, sizeof(b));
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

struct zw {
	int fd;
	ZSTD_CCtx *c;
	size_t cap;
	char out[];
};

/* Compress what in holds with mode; 0 when fully done, 1 for more, -1. */
static int zw_step(struct zw *z, ZSTD_inBuffer *in, ZSTD_EndDirective mode)
{
	ZSTD_outBuffer out = { z->out, z->cap, 0 };
	size_t r = ZSTD_compressStream2(z->c, &out, in, mode);

	if (ZSTD_isError(r)) {
		fail("zstd compression failed", r);
		return -1;
	}
	if (write_all(z->fd, z->out, out.pos))
		return -1;
	return mode == ZSTD_e_end ? r != 0 : in->pos < in->size;
}

static ssize_t zw_write(void *cookie, const char *buf, size_t n)
{
	ZSTD_inBuffer in = { buf, n, 0 };
	int r;

	while ((r = zw_step(cookie, &in, ZSTD_e_continue)) > 0)
		;
	return r < 0 ? -1 : (ssize_t)n;
}

static int zw_close(void *cookie)
{
	struct zw *z = cookie;
	ZSTD_inBuffer in = { NULL, 0, 0 };
	int r, err = 0;

	while ((r = zw_step(z, &in, ZSTD_e_end)) > 0)
		;
	if (r < 0)
		err = errno ? errno : EIO;
	if (fsync(z->fd) && !err)
		err = errno;
	if (close(z->fd) && !err)
		err = errno;
	ZSTD_freeCCtx(z->c);
	free(z);
	errno = err;
	return err ? -1 : 0;
}

FILE *pb_zstd_writer(int fd)
{
	size_t cap = ZSTD_CStreamOutSize();
	struct zw *z = malloc(sizeof(*z) + cap);
	FILE *f;

	if (!z)
		return NULL;
	z->fd = fd;
	z->cap = cap;
	z->c = ZSTD_createCCtx();
	/* level 3, zstd's default; a checksum so that a flipped bit is found */
	if (!z->c || ZSTD_isError(ZSTD_CCtx_setParameter(z->c, ZSTD_c_checksumFlag, 1)))
		goto fail;
	f = fopencookie(z, "w", (cookie_io_functions_t){ .write = zw_write, .close = zw_close });
	if (f)
		return f;
fail:
	ZSTD_freeCCtx(z->c);
	free(z);
	return NULL;
}

struct zr {
	int fd;
	ZSTD_DCtx *d;
	ZSTD_inBuffer in;
	size_t left;		/* ZSTD_decompressStream's hint: 0 at a frame's end */
	bool eof, full;
	size_t cap;
	char buf[];
};

static ssize_t zr_read(void *cookie, char *buf, size_t n)
{
	struct zr *z = cookie;
	ZSTD_outBuffer out = { buf, n, 0 };
	ssize_t r;

	for (;;) {
		/* input to decode, or output the decoder still holds */
		if (z->in.pos < z->in.size || z->full) {
			z->left = ZSTD_decompressStream(z->d, &out, &z->in);
			if (ZSTD_isError(z->left)) {
				fail("corrupt zstd data", z->left);
				return -1;
			}
			z->full = out.pos == out.size;
			if (out.pos)
				return (ssize_t)out.pos;
			if (z->in.pos < z->in.size)
				continue;
		}
		if (z->eof) {
			if (!z->left)
				return 0;
			fail("truncated zstd stream", 0);
			return -1;
		}
		r = read(z->fd, z->buf, z->cap);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		z->eof = r == 0;
		z->in = (ZSTD_inBuffer){ z->buf, (size_t)r, 0 };
	}
}

static int zr_close(void *cookie)
{
	struct zr *z = cookie;
	int err = close(z->fd) ? errno : 0;

	ZSTD_freeDCtx(z->d);
	free(z);
	errno = err;
	return err ? -1 : 0;
}

FILE *pb_zstd_reader(int fd)
{
	size_t cap = ZSTD_DStreamInSize();
	struct zr *z = calloc(1, sizeof(*z) + cap);
	FILE *f;

	if (!z)
		return NULL;
	last_error[0] = '\0';
	z->fd = fd;
	z->cap = cap;
	z->left = 1;		/* no frame yet: an empty file is truncated */
	z->d = ZSTD_createDCtx();
	f = z->d ? fopencookie(z, "r", (cookie_io_functions_t){ .read = zr_read,
							       .close = zr_close }) : NULL;
	if (f)
		return f;
	ZSTD_freeDCtx(z->d);
	free(z);
	return NULL;
}
