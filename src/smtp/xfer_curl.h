/* smtp/xfer_curl.h — one SMTP transfer over libcurl, reporting every event to a session. */
#ifndef MFP_SMTP_XFER_CURL_H
#define MFP_SMTP_XFER_CURL_H
#include "smtp/session.h"

/* Runs one transfer for req with TLS mode mode (never TLS_AUTO: resolved by the caller as
 * implicit, none, starttls, or "try" = starttls when offered). Fills res through the session,
 * plus curl_code/curl_error/ip/message_size. budget_ms caps the whole transfer.
 * Returns the CURLcode. */
enum xfer_tls { XFER_TLS_NONE, XFER_TLS_TRY, XFER_TLS_STARTTLS, XFER_TLS_IMPLICIT };
int xfer_run(const struct smtp_request *req, enum xfer_tls mode, long budget_ms,
	     struct smtp_result *res, struct smtp_session *sess);

#endif
