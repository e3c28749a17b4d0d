/* scan/engine_zygote.c — the process scan workers are forked from. It is forked once, right
 * after the warm-up, so every worker starts from the same small, prepared memory, whatever the
 * caller has allocated since (rows it keeps, for example: a worker forked from a grown, holed
 * heap copies many more of its pages). On request it forks a worker for a target and hands
 * back the worker's socket (SCM_RIGHTS) and pid; when a worker ends it reports how. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scan/engine_int.h"

struct zmsg {               /* zygote -> parent */
	int32_t kind;           /* 'F': forked (fd attached when pid > 0), 'W': a worker ended */
	int32_t pid;
	int32_t value;          /* 'F': errno when pid <= 0; 'W': the wait status */
};

static int send_msg(int fd, const struct zmsg *m, int pass_fd)
{
	struct iovec iov = {(void *)m, sizeof(*m)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1};
	if (pass_fd >= 0) {
		memset(&u, 0, sizeof(u));
		h.msg_control = u.buf;
		h.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&h);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	ssize_t r;
	while ((r = sendmsg(fd, &h, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return r == (ssize_t)sizeof(*m) ? 0 : -1;
}

/* Forks the worker for targets[index]; answers 'F'. */
static void spawn(int fd, const struct scan_target *targets, size_t n, const struct scan_engine_cfg *cfg, uint32_t index)
{
	struct zmsg m = {'F', -1, EINVAL};
	int sv[2] = {-1, -1};
	if (index < n && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			close(sv[0]);
			engine_child(&targets[index], cfg, sv[1]);
		}
		m.pid = pid;
		m.value = pid < 0 ? errno : 0;
		close(sv[1]);
	}
	send_msg(fd, &m, m.pid > 0 ? sv[0] : -1);
	if (sv[0] >= 0)
		close(sv[0]);
}

static void reap(int fd)
{
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		struct zmsg m = {'W', pid, st};
		send_msg(fd, &m, -1);
	}
}

static void __attribute__((noreturn)) zygote_main(int fd, const struct scan_target *targets, size_t n,
						  const struct scan_engine_cfg *cfg)
{
	if (engine_isolate(fd) != 0)
		_exit(120);
	fd = 3;
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		int r = poll(&p, 1, 10); /* also a tick to reap ended workers */
		if (r > 0) {
			uint32_t index;
			ssize_t k = recv(fd, &index, sizeof(index), 0);
			if (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN))
				break;
			if (k == (ssize_t)sizeof(index))
				spawn(fd, targets, n, cfg, index);
		}
		reap(fd);
	}
	while (waitpid(-1, NULL, 0) > 0) /* the parent is gone: workers die with us (their PDEATHSIG) */
		;
	_exit(0);
}

int zygote_start(struct zygote *z, const struct scan_target *targets, size_t n, const struct scan_engine_cfg *cfg)
{
	int sv[2];
	memset(z, 0, sizeof(*z));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	fflush(NULL); /* nothing buffered by the caller is written twice */
	z->pid = fork();
	if (z->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (z->pid == 0) {
		close(sv[0]);
		zygote_main(sv[1], targets, n, cfg);
	}
	close(sv[1]);
	z->fd = sv[0];
	return 0;
}

/* Reads one message (and an attached fd). Returns 0, or -1 when the zygote is gone. */
static int recv_msg(struct zygote *z, struct zmsg *m, int *fd)
{
	struct iovec iov = {m, sizeof(*m)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr h = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	ssize_t r;
	while ((r = recvmsg(z->fd, &h, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (r != (ssize_t)sizeof(*m))
		return -1;
	*fd = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

static void keep_status(struct zygote *z, pid_t pid, int status)
{
	if (z->nended == z->capended) {
		z->capended = z->capended ? 2 * z->capended : 16;
		z->ended = xrealloc(z->ended, z->capended * sizeof(*z->ended));
	}
	z->ended[z->nended++] = (struct zygote_end){pid, status};
}

int zygote_spawn(struct zygote *z, size_t index, pid_t *pid, int *fd)
{
	uint32_t i = (uint32_t)index;
	if (send(z->fd, &i, sizeof(i), MSG_NOSIGNAL) != (ssize_t)sizeof(i))
		return -1;
	for (;;) {
		struct zmsg m;
		int got;
		if (recv_msg(z, &m, &got) != 0)
			return -1;
		if (m.kind == 'W') {
			keep_status(z, m.pid, m.value); /* handled by the caller's loop */
			continue;
		}
		if (m.pid <= 0) {
			errno = m.value;
			return -1;
		}
		*pid = m.pid;
		*fd = got;
		return got >= 0 ? 0 : -1;
	}
}

int zygote_read(struct zygote *z)
{
	struct zmsg m;
	int fd;
	if (recv_msg(z, &m, &fd) != 0)
		return -1;
	if (fd >= 0)
		close(fd);
	if (m.kind == 'W')
		keep_status(z, m.pid, m.value);
	return 0;
}

void zygote_stop(struct zygote *z)
{
	if (z->fd > 0)
		close(z->fd);
	if (z->pid > 0)
		while (waitpid(z->pid, NULL, 0) < 0 && errno == EINTR)
			;
	free(z->ended);
	memset(z, 0, sizeof(*z));
}
