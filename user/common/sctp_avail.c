// SPDX-License-Identifier: GPL-2.0
/* Is SCTP here, after `modprobe sctp`: see sctp_avail.h. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "peelbench.h"
#include "sctp_avail.h"

extern char **environ;

int pb_sctp_socket_errno(int af)
{
	int fd = socket(af, SOCK_SEQPACKET | SOCK_CLOEXEC, IPPROTO_SCTP);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

bool pb_sctp_missing_errno(int err)
{
	return err == ESOCKTNOSUPPORT || err == EPROTONOSUPPORT;
}

/* `modprobe -q sctp`; whether it worked shows in the next socket(). */
static void modprobe_sctp(void)
{
	char *argv[] = { "modprobe", "-q", "sctp", NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;

	if (posix_spawn_file_actions_init(&fa))
		return;
	if (!pb.verbose) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	}
	if (!posix_spawnp(&pid, "modprobe", &fa, NULL, argv, environ))
		waitpid(pid, &st, 0);
	posix_spawn_file_actions_destroy(&fa);
}

int pb_sctp_avail(int af)
{
	int err = pb_sctp_socket_errno(af);

	if (!err || !pb_sctp_missing_errno(err))
		return err;
	pb_debug("sctp socket: %s; trying 'modprobe sctp'", pb_errno_name(err));
	modprobe_sctp();
	return pb_sctp_socket_errno(af);
}
