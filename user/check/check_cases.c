// SPDX-License-Identifier: GPL-2.0
/* `peelbench check`: one case per promise of sctp_peeloff(3) (lksctp-tools
 * man/sctp_peeloff.3) and RFC 6458 section 9.2, each with its own sockets
 * on 127.0.0.1 (ephemeral ports), torn down before the next case.  The
 * cases call libsctp's sctp_peeloff()/sctp_peeloff_flags() as a user
 * would.  Each writes what it observed as a short string; check.c turns
 * that into a verdict.  This file is the table, in the order the cases
 * run; the cases are in check_cases_{errno,flags,assoc,netns}.c, on the
 * fixture of check_fixture.c. */
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stddef.h>
#include <sys/socket.h>

#include "check.h"
#include "check_cases.h"

/* linux/in6.h; glibc's netinet/in.h leaves it out. */
#ifndef IPV6_FLOWINFO
#define IPV6_FLOWINFO 11
#endif

#define FLAGS_REF "lksctp-tools sctp_peeloff(3); Linux 4.13 (2cb5c8e378d1)"
/* sctp_getsockopt_peeloff_common() masks the flags (SOCK_CLOEXEC to the
 * fd, SOCK_NONBLOCK to f_flags) and never validates the rest, from the
 * option's introduction to today's sctp_clone_sock() rewrite. */
#define UNKNOWN_FLAGS_REF \
	"net/sctp/socket.c sctp_getsockopt_peeloff_common() ignores other bits (option added by 2cb5c8e378d1, 4.13)"

/* The option inheritance table: the field of type at fld set to v on the
 * parent; id: offsetof the association id, or NOID. */
#define NOID (-1)
#define OPT(lvl, opt, type, id, fld, v) \
	(&(const struct check_opt){ .level = lvl, .optname = opt, \
	  .size = sizeof(type), .id_off = id, .key_off = -1, \
	  .off = offsetof(type, fld), .width = sizeof(((type *)0)->fld), \
	  .val = v, .also_off = -1 })
#define OPT_INT(lvl, opt, v) \
	(&(const struct check_opt){ .level = lvl, .optname = opt, \
	  .size = sizeof(int), .id_off = NOID, .key_off = -1, .off = 0, \
	  .width = sizeof(int), .val = v, .also_off = -1 })
#define OPT_AV(opt, v) OPT(IPPROTO_SCTP, opt, struct sctp_assoc_value, \
	offsetof(struct sctp_assoc_value, assoc_id), assoc_value, v)
/* SCTP_EVENT: one notification type (key) switched on. */
#define OPT_EVENT(type) \
	(&(const struct check_opt){ .level = IPPROTO_SCTP, .optname = SCTP_EVENT, \
	  .size = sizeof(struct sctp_event), \
	  .id_off = offsetof(struct sctp_event, se_assoc_id), \
	  .key_off = offsetof(struct sctp_event, se_type), .key = type, \
	  .off = offsetof(struct sctp_event, se_on), .width = 1, .val = 1, \
	  .also_off = -1 })
#define INHERIT(name, src, exp, dev, devref, spec) \
	{ "inherit-" name, \
	  name " set on the one-to-many parent before the association exists: " \
	  exp " on the peeled socket", src, exp, dev, devref, NULL, \
	  case_inherit, spec }

/* Where the peeled socket's fields come from, per kernel: up to 6.18
 * sctp_do_peeloff() creates a fresh socket (sock_create: inet defaults),
 * sctp_copy_sock() copies a fixed list of sock/inet fields and
 * sctp_sock_migrate() -> sctp_copy_descendant() memcpy()s struct
 * sctp_sock up to pd_lobby; from 6.19 sctp_clone_sock() copies the whole
 * socket with sk_clone() (b7ddb55f3127 "sctp: Use sctp_clone_sock() in
 * sctp_do_peeloff()", 71068e2e1b6b removes sctp_copy_sock()).  The
 * association's own values were copied from the endpoint at INIT. */
#define SRC_SCTP "net/sctp/socket.c sctp_copy_descendant() (<= 6.18), sctp_clone_sock() (b7ddb55f3127, 6.19)"
#define SRC_ASOC "net/sctp/associola.c sctp_association_init(): copied from the endpoint at INIT, moves with the association"
#define SRC_COPY "sctp_copy_sock() copies it (<= 6.18); sk_clone() (b7ddb55f3127, 6.19)"
#define SRC_MIGRATE "sctp_sock_migrate() copies sk_sndbuf/sk_rcvbuf (<= 6.18); sk_clone() (6.19, 'sctp: Don't copy sk_sndbuf and sk_rcvbuf in sctp_sock_migrate()')"
#define SRC_MC "sctp_copy_sock() (<= 6.18) and sctp_clone_sock() (6.19) set mc_ttl 1, MC_LOOP on, mc_index 0"
#define SRC_CLONE "sk_clone() in sctp_clone_sock() copies the whole sock (b7ddb55f3127, 6.19)"
#define DEV_COPY "sctp_copy_sock() (<= 6.18) does not copy it: inet_create()/sock_init_data() default"
/* IPv6-level options live in struct ipv6_pinfo: up to 6.18 the peeled
 * socket is a fresh inet6_create() one and sctp_v6_copy_ip_options()
 * copies np->opt alone; from 6.19 sctp_clone_sock() memcpy()s the whole
 * ipv6_pinfo of the parent (b7ddb55f3127; b98f06f9a5d3 fixed where). */
#define SRC_V6 "sctp_clone_sock() memcpy()s struct ipv6_pinfo (b7ddb55f3127, 6.19)"
#define DEV_V6 "sctp_do_peeloff() (<= 6.18) creates the socket with sock_create(): inet6_create() defaults; sctp_v6_copy_ip_options() copies np->opt only"
/* SCTP-AUTH values are the endpoint's, copied into the association when
 * it is made (sctp_association_init(): asoc->c.auth_chunks,
 * active_key_id, sctp_auth_asoc_copy_shkeys()), and move with it. */
#define SRC_AUTH_CHUNKS "RFC 6458 8.2.4, 8.3.2; net/sctp/associola.c sctp_association_init() copies ep->auth_chunk_list into asoc->c.auth_chunks"
#define SRC_AUTH_KEY "RFC 6458 8.1.18; net/sctp/associola.c sctp_association_init(): asoc->active_key_id = ep->active_key_id"
#define SRC_AUTH_SUPP "net/sctp/socket.c sctp_getsockopt_auth_supported(): the association's peer.auth_capable, negotiated at INIT"
#define SRC_PEER_AUTH "RFC 6458 8.2.3; net/sctp/socket.c sctp_getsockopt_peer_auth_chunks(): asoc->peer.peer_chunks, moves with the association"
/* One SCTP-AUTH option: AUTH on both ends first. */
#define OPT_AUTH(opt, type, id, fld, v, setter) \
	(&(const struct check_opt){ .level = IPPROTO_SCTP, .optname = opt, \
	  .size = sizeof(type) + 32, .id_off = id, .key_off = -1, \
	  .off = offsetof(type, fld), .width = sizeof(((type *)0)->fld), \
	  .val = v, .also_off = -1, .prep = check_auth_on, \
	  .client_prep = check_auth_on, .set = setter })
/* One IPPROTO_IPV6 int option on an AF_INET6 parent; mask as for IP_TOS. */
#define OPT_V6(opt, v, m) \
	(&(const struct check_opt){ .level = IPPROTO_IPV6, .optname = opt, \
	  .size = sizeof(int), .id_off = NOID, .key_off = -1, \
	  .width = sizeof(int), .val = v, .also_off = -1, .v6 = true, .mask = m })
#define INHERIT_V6(name, opt, v, m) \
	INHERIT(name, SRC_V6, "inherited", "reset", DEV_V6, OPT_V6(opt, v, m))
/* Observed reset on 6.1 and on 7.3 alike; for <= 6.18 sctp_copy_sock()
 * has no sk_priority in its list; on 7.3 the line that resets it after
 * sk_clone() has not been found (docs/check.md). */
#define SRC_PRIO "sctp_copy_sock() does not copy sk_priority (<= 6.18); reset also observed on 7.3 (docs/check.md)"
#define SRC_ASCONF "73edb26b06ea 'sctp: Don't inherit do_auto_asconf in sctp_clone_sock()' (6.19); sctp_init_sock() default_auto_asconf (<= 6.18)"

const struct check_case check_cases[] = {
	{ "returns-new-fd",
	  "on success, the new socket descriptor representing the branched-off association is returned",
	  "sctp_peeloff(3) RETURN VALUE", "new fd, peer is the client",
	  NULL, NULL, case_returns_new_fd, NULL, NULL },
	{ "ebadf-bad-descriptor", "EBADF: sd is not a valid descriptor",
	  "sctp_peeloff(3) ERRORS", "EBADF", NULL, NULL, case_ebadf, NULL, NULL },
	{ "enotsock-file", "ENOTSOCK: sd is a descriptor for a file, not a socket",
	  "sctp_peeloff(3) ERRORS", "ENOTSOCK", NULL, NULL, case_enotsock, NULL, NULL },
	{ "einval-unknown-id", "EINVAL: the association id is invalid",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_unknown_id, NULL, NULL },
	{ "einval-one-to-one", "EINVAL: sd is a one-to-one style socket",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_one_to_one, NULL, NULL },
	{ "einval-from-peeled", "a peeled-off socket is one-to-one style, so it cannot be peeled from (EINVAL)",
	  "RFC 6458 9.2; sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL,
	  case_einval_from_peeled, NULL, NULL },
	{ "einval-already-peeled", "an id already peeled off is no longer the parent's: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_already_peeled, NULL, NULL },
	{ "einval-aborted-by-peer", "an association the peer aborted (SO_LINGER 0 close) is gone: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_aborted_by_peer, NULL, NULL },
	{ "einval-aborted-locally", "an association aborted with SCTP_ABORT is gone: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_aborted_locally, NULL, NULL },
	{ "einval-shut-down", "an association shut down with SCTP_EOF is gone: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_shut_down, NULL, NULL },
	{ "flags-none", "sctp_peeloff_flags with no flags: neither O_NONBLOCK nor FD_CLOEXEC on the new fd",
	  FLAGS_REF, "neither", NULL, NULL, case_flags_none, NULL, NULL },
	{ "flags-nonblock", "SOCK_NONBLOCK: the new socket does not block (O_NONBLOCK only)",
	  FLAGS_REF, "O_NONBLOCK", NULL, NULL, case_flags_nonblock, NULL, NULL },
	{ "flags-cloexec", "SOCK_CLOEXEC: the new socket is closed on exec (FD_CLOEXEC only)",
	  FLAGS_REF, "FD_CLOEXEC", NULL, NULL, case_flags_cloexec, NULL, NULL },
	{ "flags-both", "SOCK_NONBLOCK|SOCK_CLOEXEC: both",
	  FLAGS_REF, "O_NONBLOCK|FD_CLOEXEC", NULL, NULL, case_flags_both, NULL, NULL },
	{ "flags-unknown-rejected", "only SOCK_NONBLOCK and SOCK_CLOEXEC are supported: other bits are rejected (EINVAL, as accept4(2))",
	  FLAGS_REF, "EINVAL", "accepted", UNKNOWN_FLAGS_REF, case_flags_unknown, NULL, NULL },
	{ "so-type-one-to-one", "the new socket is a one-to-one style socket (SO_TYPE SOCK_STREAM)",
	  "RFC 6458 9.2; sctp_peeloff(3) DESCRIPTION", "SOCK_STREAM",
	  "SOCK_SEQPACKET", "lksctp-tools issue #70", case_so_type, NULL, NULL },
	{ "so-protocol", "the new socket is an SCTP socket (SO_PROTOCOL IPPROTO_SCTP)",
	  "RFC 6458 9.2", "IPPROTO_SCTP", NULL, NULL, case_so_protocol, NULL, NULL },
	{ "send-without-address", "the new socket is one association: send() without an address reaches the peer",
	  "RFC 6458 9.2", "delivered", NULL, NULL, case_send_without_address, NULL, NULL },
	{ "connect-other-peer", "the new socket is one connected association: connect() to another peer fails (EISCONN)",
	  "RFC 6458 9.2; net/sctp/socket.c __sctp_connect()", "EISCONN",
	  NULL, NULL, case_connect_other_peer, NULL, NULL },
	{ "parent-forgets-assoc", "after the peeloff the association is gone from the parent (SCTP_GET_ASSOC_ID_LIST), the others stay",
	  "RFC 6458 9.2", "gone from parent, other listed", NULL, NULL,
	  case_parent_forgets, NULL, NULL },
	{ "parent-others-carry-data", "the parent's other associations still carry data both ways",
	  "RFC 6458 9.2", "both ways", NULL, NULL, case_parent_others_carry_data, NULL, NULL },
	{ "queued-data-moves", "data queued for the association before the peeloff is read on the new socket, not the parent",
	  "RFC 6458 9.2", "new=m1 parent=m2", NULL, NULL, case_queued_data_moves, NULL, NULL },
	{ "netns-refused", "an association cannot be peeled off into another network namespace (EINVAL)",
	  "CVE-2017-15115; df80cd9b28b9 (4.15)", "EINVAL", NULL, NULL,
	  case_netns_refused, NULL, NULL },
	{ "accounting-balance", "after 1000 associations were set up, each with one message queued on the parent, peeled off (message read on the peeled socket) and closed, every socket counter the kernel exposes (/proc/net/protocols SCTP and SCTPv6 sockets, SCTP memory and press, sctp/snmp SctpCurrEstab, sctp/assocs and sctp/eps lines, sockstat sockets used, sock_diag sk_rmem_alloc, sk_wmem_alloc, sk_forward_alloc) is back at its start value, and the parent's own memory once all are peeled",
	  "net/core/sock.c proto_seq_printf(), sock_inuse_get(); net/sctp/proc.c; net/sctp/diag.c inet_sctp_diag_fill(); net/sctp/socket.c sctp_sock_migrate()", "balanced",
	  NULL, NULL, case_accounting_balance, NULL, NULL },
	{ "busy-assoc-peel", "an association with a thread asleep in sendmsg() on it (peer not reading, send buffer full) peels off; the sleeper wakes with EPIPE once there is room (the association is no longer its socket's), and the association carries data on the peeled socket",
	  "a0ff660058b8 'sctp: return error if the asoc has been peeled off in sctp_wait_for_sndbuf' (4.15); sctp/sctp-tests PR #10 (peeloffbusy: peeloff works, sendmsg EPIPE)",
	  "peeloff returned fd, sender EPIPE, then delivered",
	  "peeloff EBUSY, sender sent, then delivered",
	  "dfcb9f4f99f1 'sctp: deny peeloff operation on asocs with threads sleeping on it' (4.11, CVE-2017-6353), before a0ff660058b8",
	  case_busy_assoc, NULL, NULL },
	{ "queued-bytes-move", "every byte queued for the association (receive queue, reassembly of 3,000-byte messages in 1,000-byte fragments, data held back by the parent's full receive buffer) arrives on the peeled socket in order, none of it on the parent",
	  "RFC 6458 9.2; net/sctp/socket.c sctp_sock_migrate()",
	  "60000 bytes in order on the peeled socket, none on the parent", NULL, NULL,
	  case_queued_bytes_move, NULL, NULL },
	{ "ipv6-options-close-parent-first", "an AF_INET6 parent with IPV6_HOPOPTS and IP_OPTIONS set, an association peeled off and used, then the parent closed before the peeled socket: no WARNING, BUG or refcount_t line in the kernel log",
	  "d7ff61e6f3ef 'sctp: Clear inet_opt in sctp_v6_copy_ip_options()'; b98f06f9a5d3 (6.19)",
	  "closed", NULL, NULL, case_ipv6_close_parent_first, NULL, NULL },
	{ "ipv6-options-close-peeled-first", "the same, the peeled socket closed first",
	  "d7ff61e6f3ef 'sctp: Clear inet_opt in sctp_v6_copy_ip_options()'; b98f06f9a5d3 (6.19)",
	  "closed", NULL, NULL, case_ipv6_close_peeled_first, NULL, NULL },
	INHERIT("SCTP_RTOINFO", SRC_ASOC, "inherited", NULL, NULL,
		OPT(IPPROTO_SCTP, SCTP_RTOINFO, struct sctp_rtoinfo,
		    offsetof(struct sctp_rtoinfo, srto_assoc_id), srto_initial, 2000)),
	INHERIT("SCTP_ASSOCINFO", SRC_ASOC, "inherited", NULL, NULL,
		OPT(IPPROTO_SCTP, SCTP_ASSOCINFO, struct sctp_assocparams,
		    offsetof(struct sctp_assocparams, sasoc_assoc_id), sasoc_asocmaxrxt, 7)),
	INHERIT("SCTP_INITMSG", SRC_SCTP, "inherited", NULL, NULL,
		OPT(IPPROTO_SCTP, SCTP_INITMSG, struct sctp_initmsg, NOID,
		    sinit_num_ostreams, 5)),
	INHERIT("SCTP_NODELAY", SRC_SCTP, "inherited", NULL, NULL,
		OPT_INT(IPPROTO_SCTP, SCTP_NODELAY, 1)),
	INHERIT("SCTP_AUTOCLOSE", SRC_SCTP, "inherited", NULL, NULL,
		OPT_INT(IPPROTO_SCTP, SCTP_AUTOCLOSE, 30)),
	INHERIT("SCTP_EVENTS", SRC_SCTP, "inherited", NULL, NULL,
		OPT(IPPROTO_SCTP, SCTP_EVENTS, struct sctp_event_subscribe, NOID,
		    sctp_data_io_event, 1)),
	INHERIT("SCTP_EVENT-SHUTDOWN", SRC_ASOC, "inherited", NULL, NULL,
		OPT_EVENT(SCTP_SHUTDOWN_EVENT)),
	INHERIT("SCTP_EVENT-PEER_ADDR_CHANGE", SRC_ASOC, "inherited", NULL, NULL,
		OPT_EVENT(SCTP_PEER_ADDR_CHANGE)),
	INHERIT("SCTP_DEFAULT_SEND_PARAM", SRC_ASOC, "inherited", NULL, NULL,
		OPT(IPPROTO_SCTP, SCTP_DEFAULT_SEND_PARAM, struct sctp_sndrcvinfo,
		    offsetof(struct sctp_sndrcvinfo, sinfo_assoc_id), sinfo_ppid, 0x1234)),
	INHERIT("SCTP_DEFAULT_SNDINFO", SRC_ASOC, "inherited", NULL, NULL,
		OPT(IPPROTO_SCTP, SCTP_DEFAULT_SNDINFO, struct sctp_sndinfo,
		    offsetof(struct sctp_sndinfo, snd_assoc_id), snd_ppid, 0x4321)),
	INHERIT("SCTP_PEER_ADDR_PARAMS", SRC_ASOC, "inherited", NULL, NULL,
		(&(const struct check_opt){ .level = IPPROTO_SCTP,
		  .optname = SCTP_PEER_ADDR_PARAMS, .size = sizeof(struct sctp_paddrparams),
		  .id_off = offsetof(struct sctp_paddrparams, spp_assoc_id), .key_off = -1,
		  .off = offsetof(struct sctp_paddrparams, spp_pathmaxrxt), .width = 2,
		  .val = 3, .also_off = offsetof(struct sctp_paddrparams, spp_flags),
		  .also_val = 0 })),
	INHERIT("SCTP_MAXSEG", SRC_ASOC, "inherited", NULL, NULL,
		OPT_AV(SCTP_MAXSEG, 1000)),
	INHERIT("SCTP_FRAGMENT_INTERLEAVE", SRC_SCTP, "inherited", NULL, NULL,
		OPT_INT(IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, 1)),
	INHERIT("SCTP_PARTIAL_DELIVERY_POINT", SRC_SCTP, "inherited", NULL, NULL,
		OPT_INT(IPPROTO_SCTP, SCTP_PARTIAL_DELIVERY_POINT, 4096)),
	INHERIT("SCTP_MAX_BURST", SRC_ASOC, "inherited", NULL, NULL,
		OPT_AV(SCTP_MAX_BURST, 2)),
	INHERIT("SCTP_AUTO_ASCONF", SRC_ASCONF, "reset", NULL, NULL,
		(&(const struct check_opt){ .level = IPPROTO_SCTP,
		  .optname = SCTP_AUTO_ASCONF, .size = sizeof(int), .id_off = NOID,
		  .key_off = -1, .width = sizeof(int), .val = 1, .also_off = -1,
		  .any = true })),
	INHERIT("SCTP_RECVRCVINFO", SRC_SCTP, "inherited", NULL, NULL,
		OPT_INT(IPPROTO_SCTP, SCTP_RECVRCVINFO, 1)),
	INHERIT("SCTP_RECVNXTINFO", SRC_SCTP, "inherited", NULL, NULL,
		OPT_INT(IPPROTO_SCTP, SCTP_RECVNXTINFO, 1)),
	INHERIT("SCTP_ENABLE_STREAM_RESET", SRC_ASOC, "inherited", NULL, NULL,
		OPT_AV(SCTP_ENABLE_STREAM_RESET, SCTP_ENABLE_RESET_STREAM_REQ)),
	INHERIT("SCTP_PR_SUPPORTED", SRC_ASOC, "inherited", NULL, NULL,
		OPT_AV(SCTP_PR_SUPPORTED, 0)),
	INHERIT("SCTP_ECN_SUPPORTED", SRC_ASOC, "inherited", NULL, NULL,
		OPT_AV(SCTP_ECN_SUPPORTED, 0)),
	INHERIT("SCTP_STREAM_SCHEDULER", SRC_ASOC, "inherited", NULL, NULL,
		OPT_AV(SCTP_STREAM_SCHEDULER, SCTP_SS_PRIO)),
	INHERIT("SCTP_PLPMTUD_PROBE_INTERVAL", SRC_ASOC, "inherited", NULL, NULL,
		OPT(IPPROTO_SCTP, SCTP_PLPMTUD_PROBE_INTERVAL, struct sctp_probeinterval,
		    offsetof(struct sctp_probeinterval, spi_assoc_id), spi_interval, 6000)),
	INHERIT("SO_RCVBUF", SRC_MIGRATE, "inherited", NULL, NULL,
		OPT_INT(SOL_SOCKET, SO_RCVBUF, 300000)),
	INHERIT("SO_SNDBUF", SRC_MIGRATE, "inherited", NULL, NULL,
		OPT_INT(SOL_SOCKET, SO_SNDBUF, 300000)),
	INHERIT("SO_KEEPALIVE", SRC_COPY, "inherited", NULL, NULL,
		OPT_INT(SOL_SOCKET, SO_KEEPALIVE, 1)),
	INHERIT("SO_LINGER", SRC_COPY, "inherited", NULL, NULL,
		OPT(SOL_SOCKET, SO_LINGER, struct linger, NOID, l_onoff, 1)),
	INHERIT("SO_RCVTIMEO", SRC_COPY, "inherited", NULL, NULL,
		OPT(SOL_SOCKET, SO_RCVTIMEO, struct timeval, NOID, tv_sec, 7)),
	INHERIT("SO_PRIORITY", SRC_PRIO, "reset", NULL, NULL,
		OPT_INT(SOL_SOCKET, SO_PRIORITY, 6)),
	INHERIT("SO_MARK", SRC_CLONE, "inherited", "reset", DEV_COPY,
		OPT_INT(SOL_SOCKET, SO_MARK, 0x42)),
	/* The ECN bits are not compared: sctp_v4_ecn_capable() sets ECT(0)
	 * in the tos of the socket that transmits for an ECN-capable
	 * association (INET_ECN_xmit()), so the parent's tos changes. */
	INHERIT("IP_TOS", SRC_CLONE, "inherited", "reset", DEV_COPY,
		(&(const struct check_opt){ .level = IPPROTO_IP, .optname = IP_TOS,
		  .size = sizeof(int), .id_off = NOID, .key_off = -1,
		  .width = sizeof(int), .val = 0x10, .also_off = -1, .mask = 0xfc })),
	INHERIT("IP_TTL", SRC_COPY, "inherited", NULL, NULL,
		OPT_INT(IPPROTO_IP, IP_TTL, 33)),
	INHERIT("IP_MULTICAST_TTL", SRC_MC, "reset", NULL, NULL,
		OPT_INT(IPPROTO_IP, IP_MULTICAST_TTL, 5)),
	INHERIT("IP_MULTICAST_LOOP", SRC_MC, "reset", NULL, NULL,
		OPT_INT(IPPROTO_IP, IP_MULTICAST_LOOP, 0)),
	INHERIT("SCTP_AUTH_SUPPORTED", SRC_AUTH_SUPP, "inherited", NULL, NULL,
		(&(const struct check_opt){ .level = IPPROTO_SCTP,
		  .optname = SCTP_AUTH_SUPPORTED, .size = sizeof(struct sctp_assoc_value),
		  .id_off = offsetof(struct sctp_assoc_value, assoc_id), .key_off = -1,
		  .off = offsetof(struct sctp_assoc_value, assoc_value), .width = 4,
		  .val = 1, .also_off = -1, .client_prep = check_auth_on })),
	/* Set with SCTP_AUTH_CHUNK (DATA), read with SCTP_LOCAL_AUTH_CHUNKS. */
	INHERIT("SCTP_AUTH_CHUNK", SRC_AUTH_CHUNKS, "inherited", NULL, NULL,
		OPT_AUTH(SCTP_LOCAL_AUTH_CHUNKS, struct sctp_authchunks,
			 offsetof(struct sctp_authchunks, gauth_assoc_id),
			 gauth_number_of_chunks, 1, check_auth_chunk_data)),
	INHERIT("SCTP_AUTH_ACTIVE_KEY", SRC_AUTH_KEY, "inherited", NULL, NULL,
		OPT_AUTH(SCTP_AUTH_ACTIVE_KEY, struct sctp_authkeyid,
			 offsetof(struct sctp_authkeyid, scact_assoc_id),
			 scact_keynumber, 3, check_auth_key_active)),
	{ "inherit-SCTP_PEER_AUTH_CHUNKS",
	  "SCTP_PEER_AUTH_CHUNKS (the chunks the peer requires authenticated, DATA) is the association's: the peeled socket reads what the parent read for it",
	  SRC_PEER_AUTH, "inherited", NULL, NULL, case_peer_auth_chunks, NULL, NULL },
	INHERIT_V6("IPV6_UNICAST_HOPS", IPV6_UNICAST_HOPS, 33, 0),
	INHERIT_V6("IPV6_MULTICAST_HOPS", IPV6_MULTICAST_HOPS, 5, 0),
	INHERIT_V6("IPV6_MULTICAST_LOOP", IPV6_MULTICAST_LOOP, 0, 0),
	/* ECN bits not compared: sctp_v6_ecn_capable() sets ECT(0) in the
	 * tclass of the socket that transmits, as for IP_TOS. */
	INHERIT_V6("IPV6_TCLASS", IPV6_TCLASS, 0x20, 0xfc),
	INHERIT_V6("IPV6_RECVPKTINFO", IPV6_RECVPKTINFO, 1, 0),
	INHERIT_V6("IPV6_RECVTCLASS", IPV6_RECVTCLASS, 1, 0),
	INHERIT_V6("IPV6_FLOWINFO", IPV6_FLOWINFO, 1, 0),
	INHERIT_V6("IPV6_MTU_DISCOVER", IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO, 0),
	INHERIT_V6("IPV6_DONTFRAG", IPV6_DONTFRAG, 1, 0),
};

const size_t check_ncases = sizeof(check_cases) / sizeof(check_cases[0]);
