/* scan/engine_frame.c — the frames a scan worker and its parent exchange (type byte, 4-byte
 * big-endian length, payload); see engine_int.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scan/engine_int.h"

static void header(unsigned char h[5], int type, size_t len)
{
	h[0] = (unsigned char)type;
	h[1] = (unsigned char)(len >> 24);
	h[2] = (unsigned char)(len >> 16);
	h[3] = (unsigned char)(len >> 8);
	h[4] = (unsigned char)len;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int frame_write(int fd, int type, const char *data, size_t len)
{
	unsigned char h[5];
	if (len > FRAME_MAX)
		return -1;
	header(h, type, len);
	return write_all(fd, h, sizeof(h)) == 0 && write_all(fd, data, len) == 0 ? 0 : -1;
}

static int read_all(int fd, void *p, size_t n)
{
	char *c = p;
	while (n) {
		ssize_t r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

int frame_read(int fd, struct buf *payload)
{
	unsigned char h[5];
	buf_reset(payload);
	if (read_all(fd, h, sizeof(h)) != 0)
		return -1;
	size_t len = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 | h[4];
	if (len > FRAME_MAX)
		return -1;
	char chunk[16384];
	while (len) {
		size_t k = len < sizeof(chunk) ? len : sizeof(chunk);
		if (read_all(fd, chunk, k) != 0)
			return -1;
		buf_append(payload, chunk, k);
		len -= k;
	}
	return h[0];
}

void frame_put(struct buf *out, int type, const char *data, size_t len)
{
	unsigned char h[5];
	header(h, type, len);
	buf_append(out, (const char *)h, sizeof(h));
	buf_append(out, data, len);
}

int frame_take(struct buf *in, struct buf *payload)
{
	if (in->len < 5)
		return 0;
	const unsigned char *h = (const unsigned char *)in->data;
	size_t len = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 | h[4];
	if (len > FRAME_MAX || !h[0] || !strchr("TSR", h[0]))
		return -1;
	if (in->len < 5 + len)
		return 0;
	int type = h[0];
	buf_reset(payload);
	buf_append(payload, in->data + 5, len);
	memmove(in->data, in->data + 5 + len, in->len - 5 - len);
	in->len -= 5 + len;
	in->data[in->len] = '\0';
	return type;
}
