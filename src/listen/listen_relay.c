/* listen/listen_relay.c — relay mode (placeholder while capture mode is built). */
#include "listen/listen_server.h"

int listen_relay_open(struct listen_conn *c)
{
	listen_conn_end(c, "relay not built");
	return -1;
}

void listen_relay_device_input(struct listen_conn *c)
{
	listen_io_consume(&c->dev, c->dev.in_len);
}

void listen_relay_upstream_input(struct listen_conn *c)
{
	listen_io_consume(&c->up, c->up.in_len);
}
