/* profile/embedded.h — the JSON files under devices/ compiled into the binary by cmake/embed.cmake. */
#ifndef MFP_PROFILE_EMBEDDED_H
#define MFP_PROFILE_EMBEDDED_H
#include <stddef.h>

struct profile_blob {
	const char *path;   /* relative to devices/, e.g. "mail/office365.json" */
	const char *data;   /* NUL-terminated JSON text */
	size_t len;         /* length without the NUL */
};

/* profile_blob_count entries, followed by a {NULL, NULL, 0} row. */
extern const struct profile_blob profile_blobs[];
extern const size_t profile_blob_count;

#endif
