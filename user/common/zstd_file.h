/* SPDX-License-Identifier: GPL-2.0 */
/* zstd streams behind stdio (fopencookie), so that the events sidecar's
 * writer (fprintf) and reader (getline) are the same code compressed or
 * not.  Each FILE owns its fd. */
#ifndef PEELBENCH_ZSTD_FILE_H
#define PEELBENCH_ZSTD_FILE_H

#include <stdbool.h>
#include <stdio.h>

/* Writes compress into fd; fclose ends the frame, then fsyncs and closes
 * fd, and fails (errno set) if any of that did.  NULL without memory. */
FILE *pb_zstd_writer(int fd);
/* Reads decompress fd's frames; a corrupt or truncated stream is a read
 * error (ferror), pb_zstd_error says which. */
FILE *pb_zstd_reader(int fd);
/* Whether fd's first bytes are a zstd frame's magic (fd's offset is kept). */
bool pb_zstd_magic(int fd);
/* The last zstd failure of this process as one phrase ("truncated zstd
 * stream", "corrupt zstd data: ..."), or "". */
const char *pb_zstd_error(void);
/* "NAME.zst": the name says zstd. */
bool pb_zstd_name(const char *name);

#endif
