/* core/versions.h — versions of mfpdoctor and the libraries it runs on, for --version and reports. */
#ifndef MFP_CORE_VERSIONS_H
#define MFP_CORE_VERSIONS_H

struct versions {
	char mfpdoctor[32];
	char libcurl[32];
	char tls_backend[64];   /* e.g. "OpenSSL/3.0.11" */
	char netsnmp[32];
	char jansson[16];
	char libxml2[16];
};

/* Fills v from the libraries actually linked at run time. This function can't fail. */
void versions_get(struct versions *v);

#endif
