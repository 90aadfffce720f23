/* SPDX-License-Identifier: GPL-2.0 */
/* The run functions of `peelbench check`'s cases, by file; the table that
 * names them is check_cases.c.  Each writes what it observed into obs.
 * Internal to user/check. */
#ifndef PEELBENCH_CHECK_CASES_H
#define PEELBENCH_CHECK_CASES_H

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

#endif
