/* SPDX-License-Identifier: GPL-2.0 */
/* The run functions of `peelbench check`'s cases, by file; the table that
 * names them is check_cases.c.  Each writes what it observed into obs.
 * Internal to user/check. */
#ifndef PEELBENCH_CHECK_CASES_H
#define PEELBENCH_CHECK_CASES_H

#include <stdbool.h>
#include <stddef.h>

/* check_cases_errno.c: the return value and every ERRORS entry */
void case_returns_new_fd(char *obs, size_t len);
void case_ebadf(char *obs, size_t len);
void case_enotsock(char *obs, size_t len);
void case_einval_unknown_id(char *obs, size_t len);
void case_einval_one_to_one(char *obs, size_t len);
void case_einval_from_peeled(char *obs, size_t len);
void case_einval_already_peeled(char *obs, size_t len);
void case_einval_aborted_by_peer(char *obs, size_t len);
void case_einval_aborted_locally(char *obs, size_t len);
void case_einval_shut_down(char *obs, size_t len);

/* check_cases_flags.c: sctp_peeloff_flags() and the new socket's type */
void case_flags_none(char *obs, size_t len);
void case_flags_nonblock(char *obs, size_t len);
void case_flags_cloexec(char *obs, size_t len);
void case_flags_both(char *obs, size_t len);
void case_flags_unknown(char *obs, size_t len);
void case_so_type(char *obs, size_t len);
void case_so_protocol(char *obs, size_t len);

/* check_cases_assoc.c: the association on the new socket and the parent */
void case_send_without_address(char *obs, size_t len);
void case_connect_other_peer(char *obs, size_t len);
void case_parent_forgets(char *obs, size_t len);
void case_parent_others_carry_data(char *obs, size_t len);
void case_queued_data_moves(char *obs, size_t len);

/* check_cases_netns.c */
void case_netns_refused(char *obs, size_t len);

/* check_cases_acct.c: counters back to their start after N peel+close */
void case_accounting_balance(char *obs, size_t len);

/* check_cases_busy.c, check_cases_queued.c, check_cases_ipv6.c */
void case_busy_assoc(char *obs, size_t len);
void case_queued_bytes_move(char *obs, size_t len);
void case_ipv6_close_parent_first(char *obs, size_t len);
void case_ipv6_close_peeled_first(char *obs, size_t len);

/* check_cases_inherit.c: one socket option, set on the one-to-many
 * parent before the association exists, read on the peeled socket.  The
 * field of width bytes at off is set to val; the grade compares that
 * field only (an association reports its own state in the other fields
 * of a struct, the endpoint its defaults). */
struct check_opt {
	int level, optname;
	unsigned size;		/* the option's buffer */
	int id_off;		/* where the association id goes, -1: none */
	int key_off;		/* an input field (SCTP_EVENT's type), -1: none */
	unsigned key;
	unsigned off, width;	/* the field set: 1, 2, 4 or 8 bytes */
	unsigned long long val;
	int also_off;		/* a second field set with it, -1: none */
	unsigned long long also_val;	/* (4 bytes wide) */
	bool any;		/* the parent must be bound to 0.0.0.0 */
	bool v6;		/* the parent is AF_INET6, bound to :: */
	unsigned long long mask;	/* bits of the field compared; 0: all */
	/* Called on the parent before its default is read, and on the
	 * client before it connects (SCTP-AUTH on both ends): 0 or an
	 * errno, ENOPROTOOPT meaning "not applicable".  NULL: none. */
	int (*prep)(int fd);
	int (*client_prep)(int fd);
	/* Sets the option another way than writing the field back (an
	 * option set through a write-only one): 0 or an errno. */
	int (*set)(int fd, const struct check_opt *o);
};
void case_inherit(const void *opt, char *obs, size_t len);

/* check_cases_auth.c: SCTP-AUTH (RFC 4895, RFC 6458 8.1.18, 8.2.3,
 * 8.2.4, 8.3.2), switched on per socket with SCTP_AUTH_SUPPORTED. */
int check_auth_on(int fd);
/* SCTP_AUTH_CHUNK: DATA chunks must be authenticated. */
int check_auth_chunk_data(int fd, const struct check_opt *o);
/* SCTP_AUTH_KEY number o->val, then SCTP_AUTH_ACTIVE_KEY to it. */
int check_auth_key_active(int fd, const struct check_opt *o);
/* The peer (client) asks for authenticated DATA; SCTP_PEER_AUTH_CHUNKS
 * read on the parent for that association, then on the peeled socket. */
void case_peer_auth_chunks(char *obs, size_t len);
/* The grade from the parent's default d, the parent's value once set p
 * and the peeled socket's q: "inherited" (q == p), "reset" (q == d) or
 * "other (parent P, default D, peeled Q)". */
void check_inherit_grade(unsigned long long d, unsigned long long p,
			 unsigned long long q, char *out, size_t len);

#endif
