/* device/snmp_probe.h — "is anything listening on the SNMP port?": one raw SNMPv3 discovery
 * datagram (RFC 3414 section 4; it carries no secret), used to explain silence. Works without
 * net-snmp. Licence: see LICENSE. */
#ifndef MFP_DEVICE_SNMP_PROBE_H
#define MFP_DEVICE_SNMP_PROBE_H
#include <stddef.h>

/* Sends one SNMPv3 discovery message to peer (HOST[:PORT]) on a connected UDP socket and waits
 * up to timeout_ms. Returns 1 when something answered, 0 on silence, -1 when the host said
 * ICMP port unreachable (nothing listens), -2 on a local error; msg says which. */
int snmpw_probe_alive(const char *peer, long timeout_ms, char *msg, size_t msgsz);

#endif
