/* fuzz_web_generic.c — libFuzzer target: an arbitrary page through the generic web reader (as
 * HTML, XML and script: labels, form fields, script assignments, XML names) and its link chooser,
 * with every guessed fact checked against the validation the reader promises. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "device/web_generic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct device *d)
{
	const char *port = device_value(d, "smtp.port");
	if (port && (strlen(port) > 5 || atol(port) < 1 || atol(port) > 65535))
		abort();
	const char *host = device_value(d, "smtp.host");
	if (host && strpbrk(host, " \t\r\n/<>"))
		abort();
	const char *from = device_value(d, "smtp.from");
	if (from && !strchr(from, '@'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {NULL, "text/html", "application/xml", "application/javascript"};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct device d;
		device_init(&d, "fuzz");
		web_generic_extract(&d, "/fuzz", (const char *)data, size, types[i]);
		check(&d);
		device_free(&d);
	}
	struct strlist links = {0};
	web_generic_links("https://127.0.0.1:8443", "/a/b.html", (const char *)data, size, &links, 20);
	for (size_t i = 0; i < links.n; i++)
		if (links.v[i][0] != '/')
			abort(); /* a same-host path, never a URL elsewhere */
	strlist_free(&links);
	return 0;
}
