/* device/web_js.h — values out of the JavaScript that embedded web servers put their data in,
 * without running it: assignments (`_pp.smtpPort = parseInt('25', 10);`, `var mode = "Ein";`),
 * index lookups into message tables (`JobStatus[i] = sJobStatus[5];` with `sJobStatus` defined
 * as an array literal, `new Array(...)` or element by element), call arguments
 * (`HeaderStatusPC("TASKalfa 5501i", …)`), records separated by an index assignment
 * (`Index = 0; JobKey[Index] = "2885"; … Index = 1; …`), and JS object literals turned into JSON
 * (Samsung's home.json: unquoted keys, single quotes, raw line breaks in strings, trailing commas).
 * Strings and comments are skipped while scanning, so `// _pp.x = '1'` is never read; in an HTML
 * page only the <script> elements are scanned.
 *
 * Which assignment counts: a property assigned several times is read from the assignments at the
 * shallowest brace depth (code that always runs, not a `switch`/`if` branch), the last of those
 * in source order. Pure functions, no I/O. */
#ifndef MFP_DEVICE_WEB_JS_H
#define MFP_DEVICE_WEB_JS_H
#include <stddef.h>

/* The value assigned to name (e.g. "_pp.smtpPort", "JobKey[Index]") in text[0..len): a string
 * or number literal, parseInt/parseFloat/Number/String of one, true/false, or an index into a
 * table (looked up in text, then in tables, a NUL-terminated script text or NULL; an unknown
 * entry gives the expression itself, e.g. "sJobStatus[5]", for a value map). New string or NULL. */
char *web_js_value(const char *text, size_t len, const char *name, const char *tables);

/* Argument argno (0-based) of the first call name(...) in text, evaluated as above. */
char *web_js_call_arg(const char *text, size_t len, const char *name, int argno, const char *tables);

/* Splits text at each assignment "sep = <n>;" outside strings and comments: fills starts[] with
 * the offsets where each record begins (after the assignment) and ends[] with where it ends (the
 * next record's assignment or len). Returns the number of records (at most max). */
size_t web_js_records(const char *text, size_t len, const char *sep, size_t *starts, size_t *ends, size_t max);

/* A JS object/array literal (optionally wrapped in "var x = …;") rewritten as JSON text (new
 * string): keys quoted, single-quoted strings double-quoted, control characters in strings
 * escaped, comments and trailing commas removed. The result is for json_loads. */
char *web_js_to_json(const char *text, size_t len);

#endif
