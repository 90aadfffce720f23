// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix`: the process and file helpers of the orchestration
 * (matrix_run.h): folders, logs, children and their exit codes. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "matrix_run.h"
#include "peelbench.h"

void mx_strf(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}

double mx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int mx_mkdir_p(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0775) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, 0775) && errno != EEXIST ? -1 : 0;
}

/* The last non-empty line of a log, at most size - 1 characters. */
void mx_last_line(const char *path, char *out, size_t size)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		/* a terminal's progress lines end in \r; keep the last part */
		if ((e = strrchr(s, '\r')) && e[1] && e[1] != '\n')
			s = e + 1;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
			*--e = '\0';
		if (*s)
			mx_strf(out, size, "%s", s);
	}
	fclose(f);
}

/* Start argv[0] with stdout and stderr into log; returns its pid or -1. */
pid_t mx_spawn_logged(char *const *argv, const char *log)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid;
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0664);
	int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(PB_EXIT_RUNTIME);
	execv(argv[0], argv);
	dprintf(2, "peelbench: matrix: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(PB_EXIT_ENV);
}

int mx_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return PB_EXIT_RUNTIME;
}

int mx_wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return PB_EXIT_RUNTIME;
	return mx_exit_code(st);
}

/* The binary each run execs: $PEELBENCH_MATRIX_EXEC (a developer hook:
 * a fake `peelbench` for tests), else this very peelbench. */
void mx_run_binary(char *out, size_t size)
{
	const char *hook = getenv("PEELBENCH_MATRIX_EXEC");

	if (hook && *hook)
		mx_strf(out, size, "%s", hook);
	else
		mx_strf(out, size, "%s/peelbench", pb.root);
}
