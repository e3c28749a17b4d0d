/* diagnose/finding_ids.h — the catalogue of every finding id the rules can raise (diagnose and
 * SMTP rules), for options that name findings (`check --accept ID`). Kept in step with the rules
 * by tests/integration/test_check_plugin.py, which reads every id out of the sources. */
#ifndef MFP_DIAGNOSE_FINDING_IDS_H
#define MFP_DIAGNOSE_FINDING_IDS_H
#include <stdbool.h>
#include <stddef.h>

extern const char *const diagnose_finding_ids[];
extern const size_t diagnose_nfinding_ids;
bool diagnose_finding_id_known(const char *id);

#endif
