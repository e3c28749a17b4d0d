/* smtp/message.c — test message with a scan-sized PDF; see message.h. */
#include "smtp/message.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"

unsigned char *message_pdf(long long size, size_t *len)
{
	static const char *const objs[] = {
		"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
		"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
		"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n",
	};
	struct buf head = {0};
	long off[5];
	buf_puts(&head, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
	for (int i = 0; i < 3; i++) {
		off[i + 1] = (long)head.len;
		buf_puts(&head, objs[i]);
	}
	off[4] = (long)head.len;
	/* object 4: the page content, padded with PDF comment lines */
	const char *line = "% mfpdoctor test scan: padding to the size a real scan would have\n";
	size_t linelen = strlen(line);
	/* fixed parts around the padding */
	char tail_fmt_probe[256];
	int tail_min = snprintf(tail_fmt_probe, sizeof(tail_fmt_probe),
				"\nendstream\nendobj\nxref\n0 5\n0000000000 65535 f \n"
				"%010ld 00000 n \n%010ld 00000 n \n%010ld 00000 n \n%010ld 00000 n \n"
				"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%010ld\n%%%%EOF\n",
				0L, 0L, 0L, 0L, 0L);
	long long fixed = (long long)head.len + (long long)strlen("4 0 obj\n<< /Length 0000000000 >>\nstream\n") + tail_min;
	long long pad = size > fixed ? size - fixed : 0;
	buf_printf(&head, "4 0 obj\n<< /Length %010lld >>\nstream\n", pad);
	size_t pos = head.len;
	struct buf out = head;
	/* grow once, then fill */
	buf_append(&out, "", 0);
	out.data = xrealloc(out.data, (size_t)(pos + (size_t)pad + (size_t)tail_min + 64));
	out.cap = pos + (size_t)pad + (size_t)tail_min + 64;
	for (long long i = 0; i < pad; i++)
		out.data[pos + (size_t)i] = (i % (long long)linelen == (long long)linelen - 1) ? '\n' : line[i % (long long)linelen];
	out.len = pos + (size_t)pad;
	out.data[out.len] = '\0';
	long xref = (long)out.len + (long)strlen("\nendstream\nendobj\n");
	buf_printf(&out,
		   "\nendstream\nendobj\nxref\n0 5\n0000000000 65535 f \n"
		   "%010ld 00000 n \n%010ld 00000 n \n%010ld 00000 n \n%010ld 00000 n \n"
		   "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%010ld\n%%%%EOF\n",
		   off[1], off[2], off[3], off[4], xref);
	*len = out.len;
	return (unsigned char *)out.data;
}

long long message_base64_size(long long n)
{
	long long b64 = 4 * ((n + 2) / 3);
	return b64 + 2 * ((b64 + 75) / 76);
}

int message_build(struct message *m, void *curl, const char *from, const char *const *to,
		  size_t nto, long long size)
{
	CURL *h = curl;
	memset(m, 0, sizeof(*m));
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
	char *h_from = xasprintf("From: %s", from && *from ? from : "scanner@invalid");
	struct buf tob = {0};
	buf_puts(&tob, "To: ");
	for (size_t i = 0; i < nto; i++)
		buf_printf(&tob, "%s%s", i ? ", " : "", to[i]);
	char *h_id = xasprintf("Message-ID: <mfpdoctor.%ld.%d@mfpdoctor.invalid>", (long)now, (int)(size % 100000));
	m->headers = curl_slist_append(m->headers, date);
	m->headers = curl_slist_append(m->headers, h_from);
	m->headers = curl_slist_append(m->headers, buf_str(&tob));
	m->headers = curl_slist_append(m->headers, "Subject: mfpdoctor test scan");
	m->headers = curl_slist_append(m->headers, h_id);
	m->headers = curl_slist_append(m->headers, "X-Mailer: mfpdoctor");
	free(h_from);
	free(h_id);
	buf_free(&tob);

	m->pdf = message_pdf(size, &m->pdf_len);
	m->mime = curl_mime_init(h);
	curl_mimepart *text = curl_mime_addpart(m->mime);
	curl_mime_data(text, "This is a test scan sent by mfpdoctor to check this printer's "
			     "scan-to-email settings.\r\n", CURL_ZERO_TERMINATED);
	curl_mime_type(text, "text/plain; charset=utf-8");
	curl_mimepart *att = curl_mime_addpart(m->mime);
	curl_mime_data(att, (const char *)m->pdf, m->pdf_len);
	curl_mime_type(att, "application/pdf");
	curl_mime_filename(att, "scan.pdf");
	curl_mime_encoder(att, "base64");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, m->headers);
	curl_easy_setopt(h, CURLOPT_MIMEPOST, m->mime);
	m->wire_size = message_base64_size((long long)m->pdf_len) + 1200;
	return 0;
}

void message_free(struct message *m)
{
	curl_mime_free(m->mime);
	curl_slist_free_all(m->headers);
	free(m->pdf);
	memset(m, 0, sizeof(*m));
}
