/* util/buf.h — growable byte buffers and string lists; allocation failure aborts (xalloc). */
#ifndef MFP_UTIL_BUF_H
#define MFP_UTIL_BUF_H
#include <stdarg.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MFP_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* A NUL-terminated growable buffer. Zero-initialise ({0}) before use. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_append(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) MFP_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) MFP_PRINTF(2, 0);
/* Returns the contents ("" when empty); the buffer keeps ownership. */
const char *buf_str(const struct buf *b);
/* Returns the contents as a new string the caller frees; the buffer is reset. */
char *buf_steal(struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* A list of owned strings. Zero-initialise before use. */
struct strlist {
	char **v;
	size_t n;
	size_t cap;
};
void strlist_add(struct strlist *l, const char *s);           /* copies s */
void strlist_add_owned(struct strlist *l, char *s);           /* takes ownership of s */
int strlist_has(const struct strlist *l, const char *s);      /* case-insensitive */
void strlist_free(struct strlist *l);

/* Allocation helpers: they never return NULL (abort on exhaustion). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);          /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) MFP_PRINTF(1, 2);

#endif
