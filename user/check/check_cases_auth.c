// SPDX-License-Identifier: GPL-2.0
/* SCTP-AUTH for the inheritance table of `peelbench check`
 * (check_cases.c): switching it on, the two options that are set through
 * write-only ones (SCTP_AUTH_CHUNK for SCTP_LOCAL_AUTH_CHUNKS,
 * SCTP_AUTH_KEY for SCTP_AUTH_ACTIVE_KEY), and the case
 * "inherit-SCTP_PEER_AUTH_CHUNKS", whose value exists only once the
 * association does.  SCTP-AUTH is off by default (net.sctp.auth_enable
 * 0); SCTP_AUTH_SUPPORTED turns it on for one socket without touching
 * the sysctl, and an association negotiates it only when both ends have
 * it (asoc->peer.auth_capable), so the clients get it too. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "check_cases.h"
#include "check_fixture.h"
#include "peelbench.h"

#define AUTH_KEY "peelbench-key"

int check_auth_on(int fd)
{
	struct sctp_assoc_value av = { .assoc_id = 0, .assoc_value = 1 };

	return setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_SUPPORTED, &av,
			  sizeof(av)) ? errno : 0;
}

static int auth_chunk(int fd, uint8_t chunk)
{
	struct sctp_authchunk ac = { .sauth_chunk = chunk };

	return setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_CHUNK, &ac,
			  sizeof(ac)) ? errno : 0;
}

int check_auth_chunk_data(int fd, const struct check_opt *o)
{
	(void)o;
	return auth_chunk(fd, 0);	/* chunk type 0: DATA */
}

int check_auth_key_active(int fd, const struct check_opt *o)
{
	union {
		struct sctp_authkey k;
		char buf[sizeof(struct sctp_authkey) + sizeof(AUTH_KEY)];
	} u;
	struct sctp_authkeyid id = { .scact_keynumber = (uint16_t)o->val };

	memset(&u, 0, sizeof(u));
	u.k.sca_keynumber = (uint16_t)o->val;
	u.k.sca_keylength = sizeof(AUTH_KEY) - 1;
	memcpy(u.k.sca_key, AUTH_KEY, sizeof(AUTH_KEY) - 1);
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_KEY, &u, sizeof(u)))
		return errno;
	return setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_ACTIVE_KEY, &id,
			  sizeof(id)) ? errno : 0;
}

/* A client that asks for authenticated DATA. */
static int client_wants_auth_data(int fd)
{
	int err = check_auth_on(fd);

	return err ? err : auth_chunk(fd, 0);
}

/* The number of chunk types the peer requires authenticated, as fd
 * reads it for association id (ignored on a peeled socket): 0 or errno. */
static int peer_chunks(int fd, sctp_assoc_t id, unsigned long long *n)
{
	union {
		struct sctp_authchunks c;
		char buf[sizeof(struct sctp_authchunks) + 32];
	} u;
	socklen_t len = sizeof(u);

	memset(&u, 0, sizeof(u));
	u.c.gauth_assoc_id = id;
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_PEER_AUTH_CHUNKS, &u, &len))
		return errno;
	*n = u.c.gauth_number_of_chunks;
	return 0;
}

void case_peer_auth_chunks(char *obs, size_t len)
{
	unsigned long long p, q;
	struct fixture fx;
	int fd, err;

	if (fx_open(&fx, 0, obs, len))
		goto out;
	if ((err = check_auth_on(fx.server))) {
		if (err == ENOPROTOOPT)
			fx_observe(&fx, CHECK_NOT_APPLICABLE_OBS);
		else
			fx_observe(&fx, "setup: SCTP_AUTH_SUPPORTED: %s", pb_errno_name(err));
		goto out;
	}
	fx.client_prep = client_wants_auth_data;
	if (fx_add_client(&fx))
		goto out;
	if ((err = peer_chunks(fx.server, fx.id[0], &p))) {
		fx_observe(&fx, "get on parent: %s", pb_errno_name(err));
		goto out;
	}
	if (p != 1) {
		fx_observe(&fx, "setup: the parent reads %llu chunks the peer requires, not 1", p);
		goto out;
	}
	fd = fx_peel_first(&fx, 0);
	if (fd < 0)
		goto out;
	if ((err = peer_chunks(fd, 0, &q))) {
		fx_observe(&fx, "get on peeled: %s", pb_errno_name(err));
		goto out;
	}
	/* Default: a peer that requires nothing. */
	check_inherit_grade(0, p, q, obs, len);
out:
	fx_close(&fx);
}
