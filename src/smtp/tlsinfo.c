/* smtp/tlsinfo.c — OpenSSL callbacks feeding the session's TLS facts; see tlsinfo.h. */
#include "smtp/tlsinfo.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/redact.h"
#include "util/text.h"

/* OpenSSL's callbacks carry no user pointer of ours: one probe runs at a time. */
static struct smtp_session *active;
static X509 *leaf;

static char *name_line(X509_NAME *n)
{
	char buf[512];
	X509_NAME_oneline(n, buf, sizeof(buf));
	char *safe = redact_scrub(buf); /* the server chose these names */
	char *clean = text_sanitize(safe, 500, 0);
	free(safe);
	return clean;
}

static void asn1_time_iso(const ASN1_TIME *t, char *out, size_t outsz, long *days_left)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	out[0] = '\0';
	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return;
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
	int days = 0, secs = 0;
	if (ASN1_TIME_diff(&days, &secs, NULL, t) == 1)
		*days_left = days;
}

static void record_cert(struct tls_facts *t, X509 *cert)
{
	if (t->have_cert || !cert)
		return;
	t->have_cert = true;
	leaf = X509_dup(cert);
	t->subject = name_line(X509_get_subject_name(cert));
	t->issuer = name_line(X509_get_issuer_name(cert));
	asn1_time_iso(X509_get0_notAfter(cert), t->not_after, sizeof(t->not_after), &t->days_left);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) == 1) {
		size_t o = 0;
		for (unsigned i = 0; i < mdlen && o + 4 < sizeof(t->sha256); i++)
			o += (size_t)snprintf(t->sha256 + o, sizeof(t->sha256) - o, "%s%02X", i ? ":" : "", md[i]);
	}
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char line[300];
		if (g->type == GEN_DNS) {
			const unsigned char *d = ASN1_STRING_get0_data(g->d.dNSName);
			char *clean = text_sanitize_n((const char *)d, (size_t)ASN1_STRING_length(g->d.dNSName), 250, 0);
			snprintf(line, sizeof(line), "DNS:%s", clean);
			free(clean);
			strlist_add(&t->sans, line);
		} else if (g->type == GEN_IPADD) {
			const unsigned char *d = ASN1_STRING_get0_data(g->d.iPAddress);
			int len = ASN1_STRING_length(g->d.iPAddress);
			char ip[INET6_ADDRSTRLEN] = "?";
			if (len == 4)
				inet_ntop(AF_INET, d, ip, sizeof(ip));
			else if (len == 16)
				inet_ntop(AF_INET6, d, ip, sizeof(ip));
			snprintf(line, sizeof(line), "IP:%s", ip);
			strlist_add(&t->sans, line);
		}
	}
	GENERAL_NAMES_free(gens);
}

static int verify_cb(int preverify_ok, X509_STORE_CTX *x)
{
	if (!active)
		return preverify_ok;
	struct tls_facts *t = &active->res->tls;
	record_cert(t, X509_STORE_CTX_get0_cert(x));
	if (!preverify_ok && !t->chain_error) {
		int err = X509_STORE_CTX_get_error(x);
		int depth = X509_STORE_CTX_get_error_depth(x);
		t->chain_error = xasprintf("%s (certificate at depth %d)", X509_verify_cert_error_string(err), depth);
	}
	return preverify_ok;
}

static void info_cb(const SSL *ssl, int where, int ret)
{
	if (!active)
		return;
	if (where & SSL_CB_HANDSHAKE_START) {
		session_tls_start(active);
	} else if (where & SSL_CB_HANDSHAKE_DONE) {
		X509 *peer = SSL_get0_peer_certificate(ssl);
		record_cert(&active->res->tls, peer);
		session_tls_done(active, SSL_get_version(ssl), SSL_get_cipher_name(ssl));
	} else if (where & SSL_CB_ALERT) {
		struct tls_facts *t = &active->res->tls;
		char msg[200];
		snprintf(msg, sizeof(msg), "TLS alert %s: %s", (where & SSL_CB_READ) ? "received from server" : "sent by client",
			 SSL_alert_desc_string_long(ret));
		if (!t->alert && strcmp(SSL_alert_desc_string_long(ret), "close notify") != 0)
			t->alert = xstrdup(msg);
		session_note(active, "**", msg, strlen(msg));
	}
}

int tlsinfo_ctx_setup(void *curl, void *sslctx, void *userp)
{
	(void)curl;
	SSL_CTX *ctx = sslctx;
	active = userp;
	SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), verify_cb);
	SSL_CTX_set_info_callback(ctx, info_cb);
	const struct smtp_request *q = active->req;
	if ((q->tls_min && q->tls_min < 12) || (q->tls_max && q->tls_max < 12)) {
		/* Debian's OpenSSL 3 refuses TLS 1.0/1.1 at its default security level. */
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
	}
	return 0; /* CURLE_OK */
}

void tlsinfo_check_name(struct tls_facts *t, const char *host)
{
	if (!leaf || !host)
		return;
	unsigned char tmp[16];
	int is_ip = inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1;
	int rc = is_ip ? X509_check_ip_asc(leaf, host, 0) : X509_check_host(leaf, host, 0, 0, NULL);
	t->name_ok = rc == 1;
	if (!t->name_ok)
		t->name_error = xasprintf("the certificate is not valid for %s%s", is_ip ? "the IP address " : "",
					  host);
}

void tlsinfo_release(void)
{
	X509_free(leaf);
	leaf = NULL;
	active = NULL;
}
