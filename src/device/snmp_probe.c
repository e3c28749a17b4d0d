/* device/snmp_probe.c — the raw SNMPv3 discovery probe; see snmp_probe.h. Licence: see LICENSE. */
#include "device/snmp_probe.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "device/snmp_oid.h"

/* A fixed SNMPv3 discovery message: msgID/requestID set per call, empty user, noAuthNoPriv,
 * reportable, empty scoped GetRequest (RFC 3414 section 4). */
static size_t discovery_msg(unsigned char *m, unsigned id)
{
	static const unsigned char tmpl[] = {
		0x30, 0x3a, 0x02, 0x01, 0x03,
		0x30, 0x0f, 0x02, 0x02, 0x00, 0x00, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03,
		0x04, 0x10, 0x30, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
		0x04, 0x00,
		0x30, 0x12, 0x04, 0x00, 0x04, 0x00, 0xa0, 0x0c, 0x02, 0x02, 0x00, 0x00, 0x02, 0x01, 0x00, 0x02,
		0x01, 0x00, 0x30, 0x00,
	};
	memcpy(m, tmpl, sizeof(tmpl));
	m[9] = (unsigned char)((id >> 8) & 0x7f);
	m[10] = (unsigned char)(id & 0xff);
	m[50] = m[9];
	m[51] = m[10];
	return sizeof(tmpl);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A UDP socket connected to peer, or -1 (msg filled). */
static int connect_peer(const char *peer, char *msg, size_t msgsz)
{
	char host[300], portstr[16];
	int port;
	if (snmpw_split_peer(peer, host, sizeof(host), &port) < 0) {
		snprintf(msg, msgsz, "'%.80s' is not HOST[:PORT]", peer ? peer : "");
		return -1;
	}
	snprintf(portstr, sizeof(portstr), "%d", port);
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
	int g = getaddrinfo(host, portstr, &hints, &ai);
	if (g) {
		snprintf(msg, msgsz, "cannot resolve %.80s: %s", host, gai_strerror(g));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		snprintf(msg, msgsz, "local socket error: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* Waits until `until` for an answer: 1 answered, -1 port unreachable, 0 nothing. */
static int await_answer(int fd, long until, char *msg, size_t msgsz)
{
	unsigned char in[1500];
	for (;;) {
		long left = until - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) <= 0)
			return 0;
		ssize_t r = recv(fd, in, sizeof(in), 0);
		if (r < 0 && errno == ECONNREFUSED) {
			snprintf(msg, msgsz, "ICMP port unreachable (connection refused)");
			return -1;
		}
		if (r > 0) {
			snprintf(msg, msgsz, "an SNMPv3 discovery message got a %zd-byte answer", r);
			return 1;
		}
	}
}

int snmpw_probe_alive(const char *peer, long timeout_ms, char *msg, size_t msgsz)
{
	int fd = connect_peer(peer, msg, msgsz);
	if (fd < 0)
		return -2;
	unsigned char m[64];
	size_t len = discovery_msg(m, (unsigned)(now_ms() & 0x7fff));
	int rc = 0;
	long deadline = now_ms() + timeout_ms;
	/* Send twice (start and middle) in case the first datagram is lost. */
	for (int attempt = 0; attempt < 2 && rc == 0; attempt++) {
		if (send(fd, m, len, 0) < 0) {
			rc = errno == ECONNREFUSED ? -1 : -2;
			snprintf(msg, msgsz, "%s", rc == -1 ? "ICMP port unreachable (connection refused)" : strerror(errno));
			break;
		}
		rc = await_answer(fd, attempt == 0 ? now_ms() + timeout_ms / 2 : deadline, msg, msgsz);
	}
	if (rc == 0)
		snprintf(msg, msgsz, "no answer to an SNMPv3 discovery message either");
	close(fd);
	return rc;
}
