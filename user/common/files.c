// SPDX-License-Identifier: GPL-2.0
/* Regular files only, and checked output; see files.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "peelbench.h"

int pb_open_regular(const char *path, const char **why)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &st))
		*why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK))
		*why = strerror(errno);
	else
		return fd;
	close(fd);
	return -1;
}

bool pb_special_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && !S_ISREG(st.st_mode);
}

/* stdout's size at start when it is a regular file, else -1. */
static off_t stdout_start = -1;

void pb_stdout_begin(void)
{
	struct stat st;

	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode))
		stdout_start = st.st_size;
}

int pb_finish_stdout(int ret)
{
	int bad = ferror(stdout), err;

	err = fflush(stdout) ? errno : 0;
	if (!bad && !err)
		return ret;
	/* a full disk: what did fit is cut off again, no truncated table */
	if (stdout_start >= 0 && ftruncate(STDOUT_FILENO, stdout_start))
		pb_debug("cannot truncate stdout: %s", strerror(errno));
	if (ret == PB_EXIT_OK || ret == PB_EXIT_FOUND) {
		pb_err("cannot write the output: %s", err ? strerror(err) : "a write failed");
		return PB_EXIT_RUNTIME;
	}
	return ret;
}

void pb_chown_to_caller(const char *path)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");

	if (!u || !g || geteuid() != 0)
		return;
	if (chown(path, (uid_t)atol(u), (gid_t)atol(g)))
		pb_debug("cannot chown %s: %s", path, strerror(errno));
}

int pb_ensure_parent_dir(const char *path)
{
	char buf[PATH_MAX], *dir;
	struct stat st;

	snprintf(buf, sizeof(buf), "%s", path);
	dir = dirname(buf);
	if (!stat(dir, &st))
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	pb_chown_to_caller(dir);
	return 0;
}
