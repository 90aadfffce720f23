// SPDX-License-Identifier: GPL-2.0
/* `peelbench check` case "accounting-balance": N associations set up,
 * each carrying one message that waits on the parent, each peeled off at
 * once and its message read on the peeled socket, then everything
 * closed.  The counters of check_acct.h must come back to their start
 * values, and the parent's own memory (sock_diag, check_skmem.h) to what
 * it was before its first association once all of them are peeled.  It
 * runs in a network namespace of its own (when it can make one): every
 * counter it reads but SCTP's memory column is per namespace, so nothing
 * else on the machine moves them. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "check_acct.h"
#include "check_cases.h"
#include "check_fixture.h"
#include "check_skmem.h"
#include "peelbench.h"

#define ACCT_N_ASSOCS	1000
/* Closing sends SHUTDOWNs; the kernel frees the associations and their
 * sockets after the handshakes, asynchronously. */
#define ACCT_SETTLE_MS	20000

#define ACCT_MSG	"peelbench accounting"

struct acct_run {
	int server, client[ACCT_N_ASSOCS], peeled[ACCT_N_ASSOCS];
	unsigned n;
	long mem_slack;		/* pages: check_acct_mem_slack() */
	unsigned long ino;	/* the parent's inode, for sock_diag */
	struct check_skmem parent0, parent1;
	struct check_acct start, peak, end;
};

/* The /proc counters and the sock_diag sums. */
static int acct_read(struct check_acct *a, char *err, size_t len)
{
	return check_acct_read("", a, err, len) ||
	       check_acct_read_skmem(a, err, len) ? -1 : 0;
}

/* lo is down in a new network namespace. */
static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (!ret) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret;
}

/* A private netns when allowed (root, as in the guests); otherwise the
 * current one, where other sockets may move the counters. */
static void private_netns(void)
{
	if (!unshare(CLONE_NEWNET) && lo_up())
		pb_debug("lo up in the new netns: %s", pb_errno_name(errno));
}

static int enough_fds(unsigned need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	if (rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = need;
	if (rl.rlim_max < need)
		rl.rlim_max = need;	/* root may raise it */
	return setrlimit(RLIMIT_NOFILE, &rl);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Set up association i and peel it off the server at once, so the
 * server never holds more than one. */
static int acct_one(struct fixture *fx, struct acct_run *r, unsigned i)
{
	char buf[64];
	sctp_assoc_t id;

	r->client[i] = check_sctp_socket(SOCK_SEQPACKET);
	if (r->client[i] < 0)
		return fx_setup_fail(fx, "client socket", errno);
	if (connect(r->client[i], (struct sockaddr *)&fx->saddr, sizeof(fx->saddr)))
		return fx_setup_fail(fx, "connect to 127.0.0.1", errno);
	id = check_first_assoc(r->server);
	if (!id)
		return fx_setup_fail(fx, "server association id", ENOENT);
	/* One message charged to the parent's receive memory, to move. */
	if (sendto(r->client[i], ACCT_MSG, sizeof(ACCT_MSG), 0,
		   (struct sockaddr *)&fx->saddr, sizeof(fx->saddr)) != sizeof(ACCT_MSG))
		return fx_setup_fail(fx, "send", errno);
	if (fx_wait_received(fx, id, 1))
		return -1;
	r->peeled[i] = sctp_peeloff(r->server, id);
	if (r->peeled[i] < 0)
		return fx_setup_fail(fx, "peeloff", errno);
	if (check_recv_data(r->peeled[i], buf, sizeof(buf), false))
		return fx_setup_fail(fx, "message on the peeled socket", errno);
	if (strcmp(buf, ACCT_MSG))
		return fx_setup_fail(fx, "message on the peeled socket differs", EIO);
	return 0;
}

static void acct_close_all(struct acct_run *r)
{
	unsigned i;

	for (i = 0; i < r->n; i++) {
		if (r->client[i] >= 0)
			close(r->client[i]);
		if (r->peeled[i] >= 0)
			close(r->peeled[i]);
	}
	r->n = 0;
}

/* Poll until every counter is back at its start, or the limit. */
static int acct_settle(struct acct_run *r, char *err, size_t len)
{
	char drift[96];
	int waited;

	for (waited = 0; waited <= ACCT_SETTLE_MS; waited += 50) {
		if (acct_read(&r->end, err, len))
			return -1;
		if (check_acct_drift(&r->start, &r->peak, &r->end, ACCT_N_ASSOCS,
				     r->mem_slack, drift, sizeof(drift)) < 0)
			return 0;
		sleep_ms(50);
	}
	return 0;
}

static void acct_cycle(struct fixture *fx, struct acct_run *r)
{
	char err[96], drift[CHECK_OBSERVED_MAX];
	unsigned i;
	int ret;

	for (i = 0; i < ACCT_N_ASSOCS; i++) {
		r->client[i] = r->peeled[i] = -1;
		r->n = i + 1;
		if (acct_one(fx, r, i))
			return;
	}
	if (acct_read(&r->peak, err, sizeof(err))) {
		fx_setup_fail(fx, err, EIO);
		return;
	}
	ret = check_skmem_read(r->ino, &r->parent1);
	if (ret) {
		fx_setup_fail(fx, "sock_diag parent", -ret);
		return;
	}
	if (r->parent0.sockets != 1 || r->parent1.sockets != 1) {
		fx_observe(fx, "sock_diag lists the parent %u times, then %u times",
			   r->parent0.sockets, r->parent1.sockets);
		return;
	}
	/* Both ends of every association are in this namespace. */
	if (r->peak.v[ACCT_CURR_ESTAB] - r->start.v[ACCT_CURR_ESTAB] != 2 * ACCT_N_ASSOCS) {
		fx_observe(fx, "SctpCurrEstab went from %ld to %ld with %u associations (both ends here): the counters do not count them",
			   r->start.v[ACCT_CURR_ESTAB], r->peak.v[ACCT_CURR_ESTAB],
			   ACCT_N_ASSOCS);
		return;
	}
	/* The parent's own memory: back to what it was before its first
	 * association, now that each one and its message moved away. */
	if (check_skmem_drift(&r->parent0, &r->parent1, ACCT_N_ASSOCS, drift,
			      sizeof(drift)) >= 0) {
		fx_observe(fx, "%s", drift);
		return;
	}
	acct_close_all(r);
	fx_close(fx);
	if (acct_settle(r, err, sizeof(err))) {
		fx_setup_fail(fx, err, EIO);
		return;
	}
	if (check_acct_drift(&r->start, &r->peak, &r->end, ACCT_N_ASSOCS,
			     r->mem_slack, drift, sizeof(drift)) >= 0)
		fx_observe(fx, "%s", drift);
	else
		fx_observe(fx, "balanced");
}

void case_accounting_balance(char *obs, size_t len)
{
	struct acct_run *r = calloc(1, sizeof(*r));
	struct fixture fx;
	struct stat st;
	char err[96] = "";
	int ret;

	private_netns();
	memset(&fx, 0, sizeof(fx));
	fx.obs = obs;
	fx.len = len;
	if (!r) {
		fx_setup_fail(&fx, "calloc", ENOMEM);
		return;
	}
	if (enough_fds(2 * ACCT_N_ASSOCS + 64)) {
		fx_setup_fail(&fx, "RLIMIT_NOFILE", errno);
		goto out;
	}
	r->mem_slack = check_acct_mem_slack("", sysconf(_SC_NPROCESSORS_CONF));
	if (acct_read(&r->start, err, sizeof(err))) {
		fx_setup_fail(&fx, err, EIO);
		goto out;
	}
	if (fx_open(&fx, 0, obs, len))
		goto out;
	r->server = fx.server;
	if (fstat(r->server, &st)) {
		fx_setup_fail(&fx, "fstat", errno);
		goto out;
	}
	r->ino = st.st_ino;
	ret = check_skmem_read(r->ino, &r->parent0);
	if (ret) {
		fx_setup_fail(&fx, "sock_diag parent", -ret);
		goto out;
	}
	acct_cycle(&fx, r);
out:
	acct_close_all(r);
	fx_close(&fx);
	free(r);
}
