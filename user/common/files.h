/* SPDX-License-Identifier: GPL-2.0 */
/* Files from outside: only regular ones are read or replaced, and the
 * output a command printed is checked once at its end. */
#ifndef PEELBENCH_FILES_H
#define PEELBENCH_FILES_H

#include <stdbool.h>

/* Open path read-only if it is a regular file.  The open itself does not
 * block (O_NONBLOCK, cleared after the check), so a FIFO or a device is
 * refused at once.  Returns the fd, or -1 with *why saying why not. */
int pb_open_regular(const char *path, const char **why);

/* True when path exists and is not a regular file (after symlinks): a
 * writer that renames over it would replace a FIFO or a device node. */
bool pb_special_file(const char *path);

/* Flush stdout at the end of a command that returned ret.  A write that
 * failed on the way (full disk, /dev/full, closed pipe) turns a success
 * (0, or 1: ran and found something) into PB_EXIT_RUNTIME with one
 * line; a command that failed has said so already and keeps its code.
 * Either way a regular file on stdout is cut back (pb_stdout_begin). */
int pb_finish_stdout(int ret);
/* Called first: when stdout is a regular file, pb_finish_stdout cuts it
 * back to its size of now after a failed write (no half-written CSV or
 * JSON on a full disk). */
void pb_stdout_begin(void);

/* Give path to the user who ran sudo (SUDO_UID/SUDO_GID), not to root. */
void pb_chown_to_caller(const char *path);
/* Create path's folder (one level) when missing, given to the sudo
 * caller; 0 or -errno (-ENOTDIR: it is not a folder). */
int pb_ensure_parent_dir(const char *path);

#endif
