/* smtp/message.h — the test message: headers, a short text part and a generated PDF attachment
 * of a chosen size, like a scan, assembled with libcurl's MIME API. */
#ifndef MFP_SMTP_MESSAGE_H
#define MFP_SMTP_MESSAGE_H
#include <stddef.h>

struct curl_slist;
typedef struct curl_mime curl_mime;

/* Generates, in memory, the same valid one-page PDF the message streams: exactly size bytes (or
 * the smallest valid PDF when size is smaller). Returns a new buffer and its length in *len.
 * Used by the tests to check the generator. */
unsigned char *message_pdf(long long size, size_t *len);

/* Expected size on the wire of a base64-encoded attachment of n bytes (76-column lines). */
long long message_base64_size(long long n);

struct message {
	curl_mime *mime;
	struct curl_slist *headers;
	size_t pdf_len;          /* the attachment, generated while libcurl reads it */
	long long wire_size;     /* approximate size of the whole message as sent */
};

/* Expected size of the whole message on the wire for an attachment of size bytes. */
long long message_wire_size(long long size);

/* Builds the message on the given easy handle (MIME: text part + generated PDF, base64 by
 * libcurl). from/to may be NULL. Returns 0 or -1. */
int message_build(struct message *m, void *curl, const char *from, const char *const *to,
		  size_t nto, long long size);
void message_free(struct message *m);

#endif
