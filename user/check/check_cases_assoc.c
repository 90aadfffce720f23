// SPDX-License-Identifier: GPL-2.0
/* `peelbench check` cases for RFC 6458 9.2's promises about the
 * association after a peeloff: it is the new socket's only one (send
 * without an address, no second connect), the parent forgets it and
 * keeps the others, and its queued data moves with it. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check_cases.h"
#include "check_fixture.h"
#include "peelbench.h"

void case_send_without_address(char *obs, size_t len)
{
	struct fixture fx;
	char buf[64];
	int fd;

	fd = fx_open_peeled(&fx, 1, obs, len);
	if (fd < 0)
		goto out;
	if (send(fd, "ping", 4, MSG_NOSIGNAL) != 4) {
		fx_observe(&fx, "send: %s", pb_errno_name(errno));
		goto out;
	}
	if (check_recv_data(fx.client[0], buf, sizeof(buf), false)) {
		fx_observe(&fx, "not received: %s", pb_errno_name(errno));
		goto out;
	}
	fx_observe(&fx, strcmp(buf, "ping") ? "received other data" : "delivered");
out:
	fx_close(&fx);
}

void case_connect_other_peer(char *obs, size_t len)
{
	struct sockaddr_in other;
	struct fixture fx;
	int fd;

	if (fx_open(&fx, 1, obs, len))
		goto out;
	if (fx_listener(&fx, SOCK_SEQPACKET, &other) < 0)
		goto out;
	fd = fx_peel_first(&fx, 0);
	if (fd < 0)
		goto out;
	if (connect(fd, (struct sockaddr *)&other, sizeof(other)))
		fx_observe(&fx, "%s", pb_errno_name(errno));
	else
		fx_observe(&fx, "connected");
out:
	fx_close(&fx);
}

void case_parent_forgets(char *obs, size_t len)
{
	struct fixture fx;
	bool gone, other;

	if (fx_open_peeled(&fx, 2, obs, len) < 0)
		goto out;
	gone = !check_has_assoc(fx.server, fx.id[0]);
	other = check_has_assoc(fx.server, fx.id[1]);
	fx_observe(&fx, "%s, %s", gone ? "gone from parent" : "still on parent",
		other ? "other listed" : "other missing");
out:
	fx_close(&fx);
}

void case_parent_others_carry_data(char *obs, size_t len)
{
	struct fixture fx;
	char buf[64];

	if (fx_open_peeled(&fx, 2, obs, len) < 0)
		goto out;
	if (check_send_on(fx.client[1], fx.cid[1], "up", 0) < 0) {
		fx_setup_fail(&fx, "client send", errno);
		goto out;
	}
	if (check_recv_data(fx.server, buf, sizeof(buf), false)) {
		fx_observe(&fx, "up: not received: %s", pb_errno_name(errno));
		goto out;
	}
	/* Only client 1 sent "up". */
	if (strcmp(buf, "up")) {
		fx_observe(&fx, "up: other data");
		goto out;
	}
	if (check_send_on(fx.server, fx.id[1], "down", 0) < 0) {
		fx_observe(&fx, "down: send: %s", pb_errno_name(errno));
		goto out;
	}
	if (check_recv_data(fx.client[1], buf, sizeof(buf), false)) {
		fx_observe(&fx, "down: not received: %s", pb_errno_name(errno));
		goto out;
	}
	fx_observe(&fx, strcmp(buf, "down") ? "down: other data" : "both ways");
out:
	fx_close(&fx);
}

/* Every data message readable now on fd, "m1,m2" or "-". */
static void drain(int fd, char *out, size_t len)
{
	char buf[64];
	size_t off = 0;

	out[0] = '\0';
	while (!check_recv_data(fd, buf, sizeof(buf), true) && off < len)
		off += snprintf(out + off, len - off, "%s%s", off ? "," : "", buf);
	if (!off)
		snprintf(out, len, "-");
}

void case_queued_data_moves(char *obs, size_t len)
{
	char on_new[48], on_parent[48];
	struct fixture fx;
	int fd;

	if (fx_open(&fx, 2, obs, len))
		goto out;
	if (check_send_on(fx.client[0], fx.cid[0], "m1", 0) < 0 ||
	    check_send_on(fx.client[1], fx.cid[1], "m2", 0) < 0) {
		fx_setup_fail(&fx, "client send", errno);
		goto out;
	}
	/* Both on the parent's receive queue before the peeloff. */
	if (fx_wait_received(&fx, fx.id[0], 1) || fx_wait_received(&fx, fx.id[1], 1))
		goto out;
	fd = fx_peel_first(&fx, 0);
	if (fd < 0)
		goto out;
	drain(fd, on_new, sizeof(on_new));
	drain(fx.server, on_parent, sizeof(on_parent));
	fx_observe(&fx, "new=%s parent=%s", on_new, on_parent);
out:
	fx_close(&fx);
}
