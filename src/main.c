/* main.c — the thin mfpdoctor executable: everything lives in the core library. */
#include <curl/curl.h>
#include <locale.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cli_main(argc, argv);
	curl_global_cleanup();
	return rc;
}
