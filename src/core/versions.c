/* core/versions.c — run-time library versions; see versions.h. */
#include "core/versions.h"

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/xmlversion.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/version.h>
#include <stdio.h>
#include <string.h>

void versions_get(struct versions *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->mfpdoctor, sizeof(v->mfpdoctor), "%s", MFPDOCTOR_VERSION);
	const curl_version_info_data *ci = curl_version_info(CURLVERSION_NOW);
	snprintf(v->libcurl, sizeof(v->libcurl), "%s", ci->version);
	snprintf(v->tls_backend, sizeof(v->tls_backend), "%s", ci->ssl_version ? ci->ssl_version : "none");
	snprintf(v->netsnmp, sizeof(v->netsnmp), "%s", netsnmp_get_version());
	snprintf(v->jansson, sizeof(v->jansson), "%s", jansson_version_str());
	snprintf(v->libxml2, sizeof(v->libxml2), "%s", LIBXML_DOTTED_VERSION);
}
