/* listen/listen_tls.c — server and client TLS contexts for the listener, the certificate made on
 * the fly, and the ClientHello recorder (SSL_CTX_set_client_hello_cb); see listen_tls.h. */
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "listen/listen_tls.h"
#include "util/text.h"

void listen_tls_error(char *out, size_t outsz)
{
	unsigned long e = ERR_peek_last_error();
	if (e)
		ERR_error_string_n(e, out, outsz);
	else
		snprintf(out, outsz, "connection closed during the handshake");
	ERR_clear_error();
}

static void version_name(int v, char *out, size_t n)
{
	static const char *const names[] = {"SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
	if (v >= 0x0300 && v <= 0x0304)
		snprintf(out, n, "%s", names[v - 0x0300]);
	else
		snprintf(out, n, "0x%04x", (unsigned)v);
}

static bool grease(unsigned v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static void hello_versions(SSL *s, struct listen_hello *h)
{
	const unsigned char *p;
	size_t n;
	char name[16];
	version_name(SSL_client_hello_get0_legacy_version(s), h->legacy, sizeof(h->legacy));
	snprintf(h->max, sizeof(h->max), "%s", h->legacy);
	if (!SSL_client_hello_get0_ext(s, TLSEXT_TYPE_supported_versions, &p, &n) || n < 1)
		return;
	size_t len = p[0];
	if (len + 1 > n)
		len = n - 1;
	int best = 0;
	for (size_t i = 1; i + 1 <= len; i += 2) {
		unsigned v = (unsigned)(p[i] << 8 | p[i + 1]);
		if (grease(v))
			continue;
		version_name((int)v, name, sizeof(name));
		strlist_add(&h->versions, name);
		if ((int)v > best && v <= 0x0304) {
			best = (int)v;
			snprintf(h->max, sizeof(h->max), "%s", name);
		}
	}
}

static void hello_sni(SSL *s, struct listen_hello *h)
{
	const unsigned char *p;
	size_t n;
	if (!SSL_client_hello_get0_ext(s, TLSEXT_TYPE_server_name, &p, &n) || n < 5 || p[2] != 0)
		return;
	size_t nl = (size_t)(p[3] << 8 | p[4]);
	if (nl + 5 > n)
		return;
	free(h->sni);
	h->sni = text_sanitize_n((const char *)p + 5, nl, 255, 0);
}

static int hello_cb(SSL *s, int *al, void *arg)
{
	struct listen_hello *h = SSL_get_app_data(s);
	if (!h || h->seen)
		return SSL_CLIENT_HELLO_SUCCESS;
	h->seen = true;
	hello_versions(s, h);
	hello_sni(s, h);
	const unsigned char *c;
	size_t n = SSL_client_hello_get0_ciphers(s, &c);
	for (size_t i = 0; i + 1 < n && h->ciphers.n < 80; i += 2) {
		unsigned v = (unsigned)(c[i] << 8 | c[i + 1]);
		if (grease(v))
			continue;
		const SSL_CIPHER *ci = SSL_CIPHER_find(s, c + i);
		char hex[16];
		snprintf(hex, sizeof(hex), "0x%04x", v);
		strlist_add(&h->ciphers, ci ? SSL_CIPHER_get_name(ci) : v == 0x00ff ?
			    "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" : hex);
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

void listen_tls_watch(SSL *ssl, struct listen_hello *h)
{
	SSL_set_app_data(ssl, h);
}

void listen_tls_done(SSL *ssl, struct listen_hello *h)
{
	version_name(SSL_version(ssl), h->version, sizeof(h->version));
	snprintf(h->cipher, sizeof(h->cipher), "%s", SSL_get_cipher_name(ssl));
}

/* A self-signed certificate for localhost, 127.0.0.1, ::1 and the bind address. */
static X509 *make_cert(EVP_PKEY *pk, const char *bind_addr)
{
	X509 *x = X509_new();
	unsigned char serial[8];
	char san[400];
	unsigned char tmp[16];
	if (!x)
		return NULL;
	X509_set_version(x, 2);
	RAND_bytes(serial, sizeof(serial));
	serial[0] &= 0x7f;
	BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600);
	X509_set_pubkey(x, pk);
	X509_NAME *nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"mfpdoctor listen", -1, -1, 0);
	X509_set_issuer_name(x, nm);
	snprintf(san, sizeof(san), "DNS:localhost,IP:127.0.0.1,IP:::1");
	if (bind_addr && strcmp(bind_addr, "127.0.0.1") && strcmp(bind_addr, "::1") && strlen(bind_addr) < 200) {
		bool ip = inet_pton(AF_INET, bind_addr, tmp) == 1 || inet_pton(AF_INET6, bind_addr, tmp) == 1;
		snprintf(san + strlen(san), sizeof(san) - strlen(san), ",%s:%s", ip ? "IP" : "DNS", bind_addr);
	}
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
	if (ext) {
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (!X509_sign(x, pk, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int use_generated(SSL_CTX *ctx, const char *bind_addr)
{
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	X509 *x = pk ? make_cert(pk, bind_addr) : NULL;
	int ok = x && SSL_CTX_use_certificate(ctx, x) == 1 && SSL_CTX_use_PrivateKey(ctx, pk) == 1;
	X509_free(x);
	EVP_PKEY_free(pk);
	return ok ? 0 : -1;
}

SSL_CTX *listen_tls_server_ctx(const char *cert, const char *key, const char *bind_addr,
			       char *err, size_t errsz)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	char e[200];
	if (!ctx) {
		snprintf(err, errsz, "OpenSSL could not create a TLS context");
		return NULL;
	}
	/* A printer's TLS 1.0 must be seen and answered, not refused (Debian sets level 2). */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
	SSL_CTX_set_client_hello_cb(ctx, hello_cb, NULL);
	int rc;
	if (cert)
		rc = SSL_CTX_use_certificate_chain_file(ctx, cert) == 1 &&
		     SSL_CTX_use_PrivateKey_file(ctx, key ? key : cert, SSL_FILETYPE_PEM) == 1 &&
		     SSL_CTX_check_private_key(ctx) == 1 ? 0 : -1;
	else
		rc = use_generated(ctx, bind_addr);
	if (rc) {
		listen_tls_error(e, sizeof(e));
		snprintf(err, errsz, "%s: %s", cert ? "cannot use --cert/--key" : "cannot generate a certificate", e);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

SSL_CTX *listen_tls_client_ctx(const char *cafile, bool insecure, char *err, size_t errsz)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char e[200];
	if (!ctx) {
		snprintf(err, errsz, "OpenSSL could not create a TLS context");
		return NULL;
	}
	SSL_CTX_set_verify(ctx, insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
	int ok = cafile ? SSL_CTX_load_verify_locations(ctx, cafile, NULL) : SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		listen_tls_error(e, sizeof(e));
		snprintf(err, errsz, "cannot load CA certificates%s%.200s: %s", cafile ? " from " : "",
			 cafile ? cafile : "", e);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}
