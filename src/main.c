/* main.c — the thin mfpdoctor executable: everything lives in the core library. */
#include <curl/curl.h>
#include <locale.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	/* libcurl (and OpenSSL under it) initialise on the first curl_easy_init(): commands that
	 * never touch the network (explain, checklist) do not pay for it. */
	int rc = cli_main(argc, argv);
	curl_global_cleanup();
	return rc;
}
