/* device/web_tls.c — the certificate side of a web session: the peer's leaf certificate (subject,
 * issuer, SHA-256 fingerprint, libcurl public-key pin) and the trust decision made once, over a
 * handshake that sends nothing, before the first request (system CA, --web-cafile, --web-pin or an
 * explicit --web-insecure). See web_tls.h. */
#include "device/web_tls.h"

#include <ctype.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/redact.h"
#include "util/text.h"

int web_pin_normalise(const char *pin, char *out, size_t outsz)
{
	if (!pin)
		return -1;
	if (strncasecmp(pin, "sha256:", 7) == 0)
		pin += 7;
	else if (strncasecmp(pin, "sha256//", 8) == 0)
		pin += 8;
	char hex[65];
	size_t n = 0;
	for (const char *p = pin; *p; p++) {
		if (*p == ':' || *p == ' ')
			continue;
		if (!isxdigit((unsigned char)*p) || n >= 64)
			return -1;
		hex[n++] = (char)toupper((unsigned char)*p);
	}
	if (n != 64 || outsz < 96)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < 64; i += 2) {
		if (i)
			out[o++] = ':';
		out[o++] = hex[i];
		out[o++] = hex[i + 1];
	}
	out[o] = '\0';
	return 0;
}

static X509 *leaf_from_certinfo(CURL *c)
{
	struct curl_certinfo *ci = NULL;
	if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
		return NULL;
	for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next) {
		if (strncmp(s->data, "Cert:", 5) != 0)
			continue;
		BIO *bio = BIO_new_mem_buf(s->data + 5, -1);
		X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		return x;
	}
	return NULL;
}

static char *name_line(X509_NAME *n)
{
	char b[512];
	X509_NAME_oneline(n, b, sizeof(b));
	return text_sanitize(b, 500, 0);
}

/* Records the leaf certificate and computes the libcurl public-key pin. Returns 0 or -1. */
static int record_cert(struct web_http *h)
{
	X509 *x = leaf_from_certinfo(h->curl);
	if (!x)
		return -1;
	struct web_cert *wc = &h->cert;
	wc->seen = true;
	free(wc->subject);
	free(wc->issuer);
	wc->subject = name_line(X509_get_subject_name(x));
	wc->issuer = name_line(X509_get_issuer_name(x));
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	wc->sha256[0] = '\0';
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1) {
		size_t o = 0;
		for (unsigned i = 0; i < mdlen && o + 4 < sizeof(wc->sha256); i++)
			o += (size_t)snprintf(wc->sha256 + o, sizeof(wc->sha256) - o, "%s%02X", i ? ":" : "", md[i]);
	}
	/* libcurl pins the SHA-256 of the DER SubjectPublicKeyInfo */
	unsigned char *spki = NULL;
	int spkilen = i2d_PUBKEY(X509_get0_pubkey(x), &spki);
	if (spkilen > 0 && EVP_Digest(spki, (size_t)spkilen, md, &mdlen, EVP_sha256(), NULL) == 1) {
		char *b64 = redact_base64(md, (int)mdlen);
		snprintf(h->spki_pin, sizeof(h->spki_pin), "sha256//%s", b64 ? b64 : "");
		free(b64);
	}
	OPENSSL_free(spki);
	X509_free(x);
	return 0;
}

static void set_how(struct web_http *h, bool verified, const char *how)
{
	h->cert.verified = verified;
	free(h->cert.verify_how);
	h->cert.verify_how = xstrdup(how);
}

/* A TLS handshake that sends nothing (CURLOPT_CONNECT_ONLY) to learn the certificate. */
static int handshake_only(struct web_http *h, bool verify, char *err, size_t errsz)
{
	CURL *c = h->curl;
	char *url = xasprintf("%s/", h->base);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	long left = web_http_budget_left(h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left < h->opts.timeout_ms ? (left > 0 ? left : 1) : h->opts.timeout_ms);
	h->errbuf[0] = '\0';
	CURLcode rc = curl_easy_perform(c);
	h->handshake_rc = rc;
	if (rc == CURLE_OK)
		record_cert(h);
	else
		snprintf(err, errsz, "TLS handshake with %s failed: %s", h->base, h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 0L);
	/* a connect-only connection is never reused for a transfer; close it now */
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	free(url);
	return rc == CURLE_OK ? 0 : -1;
}

/* The trust decision, made once before the first request on a TLS session. Nothing is sent
 * before it is made. Returns 0 when requests may go ahead, -1 with err filled otherwise. */
int web_tls_decide(struct web_http *h, char *err, size_t errsz)
{
	CURL *c = h->curl;
	if (h->opts.pin) {
		char want[100];
		if (web_pin_normalise(h->opts.pin, want, sizeof(want)) != 0) {
			snprintf(err, errsz, "--web-pin: not a SHA-256 fingerprint (SHA256:AB:CD:… with 32 bytes)");
			return -1;
		}
		if (handshake_only(h, false, err, errsz) != 0)
			return -1;
		if (!h->cert.seen) {
			snprintf(err, errsz, "no certificate received from %s: cannot compare with --web-pin", h->base);
			return -1;
		}
		if (strcmp(want, h->cert.sha256) != 0) {
			set_how(h, false, "pinned fingerprint does not match");
			snprintf(err, errsz, "the certificate of %s (SHA-256 %s) is not the pinned one (%s): nothing was sent",
				 h->base, h->cert.sha256, want);
			return -1;
		}
		set_how(h, true, "pinned fingerprint");
		/* every later connection must present the same public key (checked by libcurl) */
		curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, h->spki_pin);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		return 0;
	}
	if (h->opts.insecure) {
		if (handshake_only(h, false, err, errsz) != 0)
			return -1;
		set_how(h, false, "not verified (--web-insecure)");
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		return 0;
	}
	char verr[300] = "";
	if (handshake_only(h, true, verr, sizeof(verr)) == 0) {
		set_how(h, true, h->opts.cafile ? "CA (--web-cafile)" : "CA (system trust store)");
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
		return 0;
	}
	/* Learn the fingerprint over an unverified handshake; still send nothing. */
	char e2[300] = "";
	if (handshake_only(h, false, e2, sizeof(e2)) != 0) {
		snprintf(err, errsz, "%s", verr);
		return -1;
	}
	char how[340];
	snprintf(how, sizeof(how), "not verified: %s", verr);
	set_how(h, false, how);
	snprintf(err, errsz,
		 "%s — nothing was sent. Check the fingerprint on the device's panel or certificate page, then "
		 "rerun with --web-pin SHA256:%s (or --web-cafile FILE, or --web-insecure)",
		 verr, h->cert.sha256);
	return -1;
}
