// SPDX-License-Identifier: GPL-2.0
/* Descriptor limit and count. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>

#include "fdlimit.h"
#include "peelbench.h"

/* fs.nr_open caps what even root may set RLIMIT_NOFILE to. */
static unsigned long long nr_open(void)
{
	unsigned long long v = 1048576;
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 1048576;
		fclose(f);
	}
	return v;
}

int bench_fdlimit_ensure(unsigned long long need, unsigned long long assocs)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl)) {
		pb_err("cannot read the file descriptor limit: %m");
		return PB_EXIT_RUNTIME;
	}
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max < need && need <= nr_open()) {
		struct rlimit both = { need, need };

		if (!setrlimit(RLIMIT_NOFILE, &both))
			return 0;
	}
	if (rl.rlim_max >= need) {
		rl.rlim_cur = need;
		if (!setrlimit(RLIMIT_NOFILE, &rl))
			return 0;
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	pb_err("%llu associations need %llu file descriptors; the limit is %llu (hard %llu, fs.nr_open %llu): lower --assocs or raise 'ulimit -n'",
	       assocs, need, (unsigned long long)rl.rlim_cur,
	       (unsigned long long)rl.rlim_max, nr_open());
	return PB_EXIT_USAGE;
}

long bench_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}
