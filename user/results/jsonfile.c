// SPDX-License-Identifier: GPL-2.0
/* Atomic result-file writer: temp file, fsync, rename, chown to the sudo
 * caller, so a crash or a full disk never leaves half a result. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "files.h"
#include "jsonfile.h"
#include "peelbench.h"

int pb_write_json_atomic(const char *path, struct json_object *obj)
{
	char tmp[PATH_MAX];
	const char *text;
	size_t len, off = 0;
	int fd, err;

	if (pb_special_file(path)) {
		pb_err("%s: not a regular file; refusing to replace it", path);
		return PB_EXIT_USAGE;
	}
	err = pb_ensure_parent_dir(path);
	if (err) {
		pb_err("cannot create the folder of %s: %s", path, strerror(-err));
		return PB_EXIT_RUNTIME;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
		pb_err("path too long: %s", path);
		return PB_EXIT_USAGE;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		pb_err("cannot write %s: %s", path, strerror(errno));
		return PB_EXIT_RUNTIME;
	}
	text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += n;
	}
	if (write(fd, "\n", 1) != 1 || fchmod(fd, 0644) || fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path))
		goto fail;
	pb_chown_to_caller(path);
	return 0;
fail:
	err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	pb_err("cannot write %s: %s", path, strerror(err));
	return PB_EXIT_RUNTIME;
}
