// SPDX-License-Identifier: GPL-2.0
/* `peelbench check`: one case per promise of sctp_peeloff(3) (lksctp-tools
 * man/sctp_peeloff.3) and RFC 6458 section 9.2, each with its own sockets
 * on 127.0.0.1 (ephemeral ports), torn down before the next case.  The
 * cases call libsctp's sctp_peeloff()/sctp_peeloff_flags() as a user
 * would.  Each writes what it observed as a short string; check.c turns
 * that into a verdict.  This file is the table, in the order the cases
 * run; the cases are in check_cases_{errno,flags,assoc,netns}.c, on the
 * fixture of check_fixture.c. */
#include "check.h"
#include "check_cases.h"

#define FLAGS_REF "lksctp-tools sctp_peeloff(3); Linux 4.13 (2cb5c8e378d1)"
/* sctp_getsockopt_peeloff_common() masks the flags (SOCK_CLOEXEC to the
 * fd, SOCK_NONBLOCK to f_flags) and never validates the rest, from the
 * option's introduction to today's sctp_clone_sock() rewrite. */
#define UNKNOWN_FLAGS_REF \
	"net/sctp/socket.c sctp_getsockopt_peeloff_common() ignores other bits (option added by 2cb5c8e378d1, 4.13)"

const struct check_case check_cases[] = {
	{ "returns-new-fd",
	  "on success, the new socket descriptor representing the branched-off association is returned",
	  "sctp_peeloff(3) RETURN VALUE", "new fd, peer is the client",
	  NULL, NULL, case_returns_new_fd },
	{ "ebadf-bad-descriptor", "EBADF: sd is not a valid descriptor",
	  "sctp_peeloff(3) ERRORS", "EBADF", NULL, NULL, case_ebadf },
	{ "enotsock-file", "ENOTSOCK: sd is a descriptor for a file, not a socket",
	  "sctp_peeloff(3) ERRORS", "ENOTSOCK", NULL, NULL, case_enotsock },
	{ "einval-unknown-id", "EINVAL: the association id is invalid",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_unknown_id },
	{ "einval-one-to-one", "EINVAL: sd is a one-to-one style socket",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_one_to_one },
	{ "einval-from-peeled", "a peeled-off socket is one-to-one style, so it cannot be peeled from (EINVAL)",
	  "RFC 6458 9.2; sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL,
	  case_einval_from_peeled },
	{ "einval-already-peeled", "an id already peeled off is no longer the parent's: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_already_peeled },
	{ "einval-aborted-by-peer", "an association the peer aborted (SO_LINGER 0 close) is gone: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_aborted_by_peer },
	{ "einval-aborted-locally", "an association aborted with SCTP_ABORT is gone: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_aborted_locally },
	{ "einval-shut-down", "an association shut down with SCTP_EOF is gone: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_shut_down },
	{ "flags-none", "sctp_peeloff_flags with no flags: neither O_NONBLOCK nor FD_CLOEXEC on the new fd",
	  FLAGS_REF, "neither", NULL, NULL, case_flags_none },
	{ "flags-nonblock", "SOCK_NONBLOCK: the new socket does not block (O_NONBLOCK only)",
	  FLAGS_REF, "O_NONBLOCK", NULL, NULL, case_flags_nonblock },
	{ "flags-cloexec", "SOCK_CLOEXEC: the new socket is closed on exec (FD_CLOEXEC only)",
	  FLAGS_REF, "FD_CLOEXEC", NULL, NULL, case_flags_cloexec },
	{ "flags-both", "SOCK_NONBLOCK|SOCK_CLOEXEC: both",
	  FLAGS_REF, "O_NONBLOCK|FD_CLOEXEC", NULL, NULL, case_flags_both },
	{ "flags-unknown-rejected", "only SOCK_NONBLOCK and SOCK_CLOEXEC are supported: other bits are rejected (EINVAL, as accept4(2))",
	  FLAGS_REF, "EINVAL", "accepted", UNKNOWN_FLAGS_REF, case_flags_unknown },
	{ "so-type-one-to-one", "the new socket is a one-to-one style socket (SO_TYPE SOCK_STREAM)",
	  "RFC 6458 9.2; sctp_peeloff(3) DESCRIPTION", "SOCK_STREAM",
	  "SOCK_SEQPACKET", "lksctp-tools issue #70", case_so_type },
	{ "so-protocol", "the new socket is an SCTP socket (SO_PROTOCOL IPPROTO_SCTP)",
	  "RFC 6458 9.2", "IPPROTO_SCTP", NULL, NULL, case_so_protocol },
	{ "send-without-address", "the new socket is one association: send() without an address reaches the peer",
	  "RFC 6458 9.2", "delivered", NULL, NULL, case_send_without_address },
	{ "connect-other-peer", "the new socket is one connected association: connect() to another peer fails (EISCONN)",
	  "RFC 6458 9.2; net/sctp/socket.c __sctp_connect()", "EISCONN",
	  NULL, NULL, case_connect_other_peer },
	{ "parent-forgets-assoc", "after the peeloff the association is gone from the parent (SCTP_GET_ASSOC_ID_LIST), the others stay",
	  "RFC 6458 9.2", "gone from parent, other listed", NULL, NULL,
	  case_parent_forgets },
	{ "parent-others-carry-data", "the parent's other associations still carry data both ways",
	  "RFC 6458 9.2", "both ways", NULL, NULL, case_parent_others_carry_data },
	{ "queued-data-moves", "data queued for the association before the peeloff is read on the new socket, not the parent",
	  "RFC 6458 9.2", "new=m1 parent=m2", NULL, NULL, case_queued_data_moves },
	{ "netns-refused", "an association cannot be peeled off into another network namespace (EINVAL)",
	  "CVE-2017-15115; df80cd9b28b9 (4.15)", "EINVAL", NULL, NULL,
	  case_netns_refused },
};

const size_t check_ncases = sizeof(check_cases) / sizeof(check_cases[0]);
