/* smtp/message.c — test message with a scan-sized PDF; see message.h. */
#include "smtp/message.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"

/* The PDF is generated on the fly while libcurl reads it: a small head, padding comment lines,
 * and a tail with the cross-reference table — no multi-megabyte copy in memory. */
struct pdf_gen {
	char *head, *tail;
	size_t headlen, taillen;
	long long pad;
	long long pos;
};

#define PDF_TAIL_FMT                                                                             \
	"\nendstream\nendobj\nxref\n0 5\n0000000000 65535 f \n"                                         \
	"%010ld 00000 n \n%010ld 00000 n \n%010ld 00000 n \n%010ld 00000 n \n"                          \
	"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%010ld\n%%%%EOF\n"

/* The largest attachment the generator makes (and the size arithmetic works with): far beyond
 * any scan, small enough that base64 and header overheads cannot overflow a long long. */
#define MESSAGE_MAX_SIZE (1LL << 33) /* 8 GiB: every offset still fits the fixed 10-digit fields */

static long long clamp_size(long long size)
{
	return size < 0 ? 0 : size > MESSAGE_MAX_SIZE ? MESSAGE_MAX_SIZE : size;
}

static const char pad_line[] = "% mfpdoctor test scan: padding to the size a real scan would have\n";

static void pdf_init(struct pdf_gen *g, long long size)
{
	static const char *const objs[] = {
		"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
		"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
		"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n",
	};
	struct buf head = {0}, tail = {0};
	long off[5];
	size = clamp_size(size);
	buf_puts(&head, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
	for (int i = 0; i < 3; i++) {
		off[i + 1] = (long)head.len;
		buf_puts(&head, objs[i]);
	}
	off[4] = (long)head.len;
	/* every number is printed with a fixed width, so the sizes are known before the values */
	long long fixed = (long long)head.len + (long long)strlen("4 0 obj\n<< /Length 0000000000 >>\nstream\n");
	buf_printf(&tail, PDF_TAIL_FMT, 0L, 0L, 0L, 0L, 0L);
	fixed += (long long)tail.len;
	g->pad = size > fixed ? size - fixed : 0;
	buf_printf(&head, "4 0 obj\n<< /Length %010lld >>\nstream\n", g->pad);
	long xref = (long)((long long)head.len + g->pad + (long long)strlen("\nendstream\nendobj\n"));
	buf_reset(&tail);
	buf_printf(&tail, PDF_TAIL_FMT, off[1], off[2], off[3], off[4], xref);
	g->headlen = head.len;
	g->head = buf_steal(&head);
	g->taillen = tail.len;
	g->tail = buf_steal(&tail);
	g->pos = 0;
}

static long long pdf_total(const struct pdf_gen *g)
{
	return (long long)g->headlen + g->pad + (long long)g->taillen;
}

static size_t pdf_read(char *out, size_t size, size_t nitems, void *arg)
{
	struct pdf_gen *g = arg;
	size_t want = size * nitems, n = 0;
	const long long plen = (long long)sizeof(pad_line) - 1;
	while (n < want && g->pos < pdf_total(g)) {
		long long p = g->pos;
		if (p < (long long)g->headlen) {
			out[n] = g->head[p];
		} else if (p < (long long)g->headlen + g->pad) {
			out[n] = pad_line[(p - (long long)g->headlen) % plen];
		} else {
			out[n] = g->tail[p - (long long)g->headlen - g->pad];
		}
		n++;
		g->pos++;
	}
	return n;
}

static int pdf_seek(void *arg, curl_off_t offset, int origin)
{
	struct pdf_gen *g = arg;
	if (origin != SEEK_SET || offset < 0 || offset > pdf_total(g))
		return CURL_SEEKFUNC_CANTSEEK;
	g->pos = offset;
	return CURL_SEEKFUNC_OK;
}

static void pdf_free(void *arg)
{
	struct pdf_gen *g = arg;
	free(g->head);
	free(g->tail);
	free(g);
}

long long message_wire_size(long long size)
{
	struct pdf_gen g;
	pdf_init(&g, size);
	long long total = pdf_total(&g);
	free(g.head);
	free(g.tail);
	return message_base64_size(total) + 1200;
}

unsigned char *message_pdf(long long size, size_t *len)
{
	struct pdf_gen g;
	pdf_init(&g, size);
	long long total = pdf_total(&g);
	if ((unsigned long long)total > SIZE_MAX - 1) {
		*len = 0;
		free(g.head);
		free(g.tail);
		return xcalloc(1, 1);
	}
	unsigned char *out = xmalloc((size_t)total + 1);
	*len = pdf_read((char *)out, 1, (size_t)total, &g);
	free(g.head);
	free(g.tail);
	return out;
}

long long message_base64_size(long long n)
{
	n = clamp_size(n);
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

	struct pdf_gen *g = xcalloc(1, sizeof(*g));
	pdf_init(g, size);
	m->pdf_len = (size_t)pdf_total(g);
	m->mime = curl_mime_init(h);
	curl_mimepart *text = curl_mime_addpart(m->mime);
	curl_mime_data(text, "This is a test scan sent by mfpdoctor to check this printer's "
			     "scan-to-email settings.\r\n", CURL_ZERO_TERMINATED);
	curl_mime_type(text, "text/plain; charset=utf-8");
	curl_mimepart *att = curl_mime_addpart(m->mime);
	curl_mime_data_cb(att, (curl_off_t)m->pdf_len, pdf_read, pdf_seek, pdf_free, g);
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
	memset(m, 0, sizeof(*m));
}
