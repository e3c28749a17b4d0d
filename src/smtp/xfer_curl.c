/* smtp/xfer_curl.c — the libcurl transport for the test send; see xfer_curl.h.
 *
 * libcurl hides most of SMTP (see docs/smtp.md "What libcurl hides"). Its debug callback is
 * the only full view of the conversation, so every command and reply line goes to the session,
 * which tracks the stages. The header callback sees each reply line after the debug callback:
 * returning 0 there aborts the transfer exactly at the requested stop point, before the next
 * command is sent. */
#include "smtp/xfer_curl.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtp/message.h"
#include "smtp/tlsinfo.h"
#include "util/clock.h"
#include "util/redact.h"
#include "util/text.h"

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
	(void)h;
	struct smtp_session *s = userp;
	switch (type) {
	case CURLINFO_TEXT:
		session_info(s, data, size);
		break;
	case CURLINFO_HEADER_OUT:
		session_command(s, data, size);
		break;
	case CURLINFO_HEADER_IN:
		session_reply(s, data, size);
		break;
	case CURLINFO_DATA_OUT:
		session_data_out(s, size);
		break;
	default:
		break;
	}
	return 0;
}

static size_t on_header(char *b, size_t sz, size_t n, void *userp)
{
	(void)b;
	struct smtp_session *s = userp;
	return s->stop_now || s->cut ? 0 : sz * n;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	struct smtp_session *s = userp;
	/* Without --send no message byte may leave: a second guard behind the header callback. */
	if (s->stop_now || (!s->req->send && ulnow > 0))
		return 1;
	/* the per-step limit and the run's budget (libcurl calls this at least once a second) */
	return session_tick(s, clock_ms());
}

static size_t refuse_body(char *b, size_t sz, size_t n, void *userp)
{
	(void)b;
	(void)sz;
	(void)n;
	(void)userp;
	return CURL_READFUNC_ABORT;
}

static long tls_flag(int v, int max)
{
	switch (v) {
	case 10: return max ? CURL_SSLVERSION_MAX_TLSv1_0 : CURL_SSLVERSION_TLSv1_0;
	case 11: return max ? CURL_SSLVERSION_MAX_TLSv1_1 : CURL_SSLVERSION_TLSv1_1;
	case 12: return max ? CURL_SSLVERSION_MAX_TLSv1_2 : CURL_SSLVERSION_TLSv1_2;
	case 13: return max ? CURL_SSLVERSION_MAX_TLSv1_3 : CURL_SSLVERSION_TLSv1_3;
	default: return max ? CURL_SSLVERSION_MAX_DEFAULT : CURL_SSLVERSION_DEFAULT;
	}
}

static const char *login_options(enum auth_mode m)
{
	switch (m) {
	case AUTH_PLAIN: return "AUTH=PLAIN";
	case AUTH_LOGIN: return "AUTH=LOGIN";
	case AUTH_CRAM_MD5: return "AUTH=CRAM-MD5";
	case AUTH_NTLM: return "AUTH=NTLM";
	case AUTH_XOAUTH2: return "AUTH=XOAUTH2";
	default: return "AUTH=*";
	}
}

static char *default_ehlo(void)
{
	char host[256];
	if (gethostname(host, sizeof(host)) != 0 || !host[0])
		return xstrdup("localhost");
	host[sizeof(host) - 1] = '\0';
	return xstrdup(host);
}

int xfer_run(const struct smtp_request *req, enum xfer_tls mode, long budget_ms,
	     struct smtp_result *res, struct smtp_session *sess)
{
	CURL *h = curl_easy_init();
	if (!h) {
		res->error = xstrdup("libcurl could not start a transfer");
		return CURLE_FAILED_INIT;
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	char *ehlo = req->ehlo ? xstrdup(req->ehlo) : default_ehlo();
	char *ehlo_esc = curl_easy_escape(h, ehlo, 0);
	int v6 = strchr(req->server, ':') != NULL;
	char *url = xasprintf("%s://%s%s%s:%ld/%s", mode == XFER_TLS_IMPLICIT ? "smtps" : "smtp",
			      v6 ? "[" : "", req->server, v6 ? "]" : "", req->port, ehlo_esc ? ehlo_esc : "");
	curl_free(ehlo_esc);

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, sess);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, sess);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, sess);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	/* libcurl's connect timeout spans TCP, banner, EHLO, STARTTLS, TLS and AUTH together, and its
	 * response timeout runs from the command, not from the last reply line: both would cut a slow
	 * but live conversation. The per-step limit is session_tick()'s (from on_progress); libcurl's
	 * own limits are only the run's budget, as a backstop. */
	long budget = budget_ms > 0 ? budget_ms : 1L;
	session_set_deadline(sess, clock_ms() + (double)budget);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, budget);
	curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, (budget + 999) / 1000);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, budget);
	curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");

	if (mode != XFER_TLS_NONE) {
		curl_easy_setopt(h, CURLOPT_USE_SSL, mode == XFER_TLS_TRY ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
		curl_easy_setopt(h, CURLOPT_SSLVERSION, tls_flag(req->tls_min, 0) | tls_flag(req->tls_max, 1));
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, req->insecure ? 0L : 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, req->insecure ? 0L : 2L);
		if (req->cafile)
			curl_easy_setopt(h, CURLOPT_CAINFO, req->cafile);
		curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, tlsinfo_ctx_setup);
		curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, sess);
		res->tls.verify_enforced = !req->insecure;
	}
	if (req->user && req->password && req->auth != AUTH_NONE) {
		curl_easy_setopt(h, CURLOPT_USERNAME, req->user);
		if (req->auth == AUTH_XOAUTH2)
			curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, req->password);
		else
			curl_easy_setopt(h, CURLOPT_PASSWORD, req->password);
		curl_easy_setopt(h, CURLOPT_LOGIN_OPTIONS, login_options(req->auth));
		curl_easy_setopt(h, CURLOPT_SASL_IR, 1L);
	}
	struct curl_slist *rcpts = NULL;
	for (size_t i = 0; i < req->nto; i++)
		rcpts = curl_slist_append(rcpts, req->to[i]);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, req->from ? req->from : "");
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
#if LIBCURL_VERSION_NUM >= 0x080200
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
#else
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L); /* the option's name before 8.2.0 */
#endif

	struct message msg;
	memset(&msg, 0, sizeof(msg));
	if (req->send) {
		message_build(&msg, h, req->from, req->to, req->nto, req->size);
		res->message_size = msg.wire_size;
	} else {
		/* No message without --send: declare its size (SIZE= on MAIL FROM, as the device
		 * would) and refuse to produce a single byte of it. */
		res->message_size = message_wire_size(req->size);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)res->message_size);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, refuse_body);
	}
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);

	CURLcode rc = curl_easy_perform(h);

	res->curl_code = (int)rc;
	if (rc != CURLE_OK) {
		/* libcurl's message can quote the server: secrets out first */
		char *safe = redact_scrub(errbuf[0] ? errbuf : curl_easy_strerror(rc));
		res->curl_error = text_sanitize(safe, 500, 0);
		free(safe);
	}
	char *ip = NULL;
	if (curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip && *ip)
		res->ip = text_sanitize(ip, 64, 0);
	curl_off_t connect_us = 0;
	curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
	if (res->nsteps && res->steps[0].stage == STAGE_CONNECT) {
		struct smtp_step *c = &res->steps[0];
		if (connect_us > 0) {
			c->done = true;
			c->elapsed_ms = (double)connect_us / 1000.0;
		}
		free(c->detail);
		if (c->done)
			c->detail = xasprintf("TCP connection to %s port %ld", res->ip ? res->ip : req->server, req->port);
	}
	res->delivered = req->send && rc == CURLE_OK;
	if (res->tls.have_cert)
		tlsinfo_check_name(&res->tls, req->server);
	tlsinfo_release();

	message_free(&msg);
	curl_slist_free_all(rcpts);
	curl_easy_cleanup(h);
	free(url);
	free(ehlo);
	return (int)rc;
}
