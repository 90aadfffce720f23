/* SPDX-License-Identifier: GPL-2.0 */
/* Writing result files: whole or not at all. */
#ifndef PEELBENCH_JSONFILE_H
#define PEELBENCH_JSONFILE_H

struct json_object;

/* Write obj as compact JSON (one line: result files carry thousands of
 * events) to path through a temporary file in the same
 * folder, fsync, rename.  Under sudo the file (and a folder it had to
 * create) is given to the invoking user (SUDO_UID/SUDO_GID).  Prints its
 * own one-line error; returns 0 or a PB_EXIT_* code. */
int pb_write_json_atomic(const char *path, struct json_object *obj);

#endif
