/* device/snmp_std.h — the standard MIB objects a printer read needs (SNMPv2-MIB,
 * HOST-RESOURCES-MIB, Printer-MIB), as data: scalars with their fact key and type, the table
 * columns walked with GETBULK, and the enumerations used to decode them. Tables are bounded by
 * their size. Sources: RFC 3418, RFC 2790, RFC 3805, IANA-PRINTER-MIB (OIDS.md §1-3).
 * Licence: see LICENSE. */
#ifndef MFP_DEVICE_SNMP_STD_H
#define MFP_DEVICE_SNMP_STD_H
#include <stddef.h>

#include "device/decode.h"

enum std_kind { STD_STRING, STD_OID, STD_TICKS, STD_DATE, STD_COUNTER };

struct std_scalar {
	const char *oid;      /* full instance OID */
	const char *key;      /* fact key */
	enum std_kind kind;
	const char *object;   /* MIB object name, for notes */
};
extern const struct std_scalar snmp_std_scalars[];
extern const size_t snmp_std_nscalars;

/* Walked columns; the id is how snmp_read.c binds rows. */
enum std_col {
	COL_HR_DEV_TYPE, COL_HR_DEV_DESCR, COL_HR_DEV_STATUS, COL_HR_PRN_STATUS, COL_HR_PRN_ERRSTATE,
	COL_ALERT_SEVERITY, COL_ALERT_TRAINING, COL_ALERT_GROUP, COL_ALERT_GROUP_INDEX, COL_ALERT_LOCATION,
	COL_ALERT_CODE, COL_ALERT_DESCR, COL_ALERT_TIME, COL_CONSOLE_TEXT,
	COL_STD_LAST
};
struct std_column {
	enum std_col id;
	const char *oid;
	const char *object;
};
extern const struct std_column snmp_std_columns[COL_STD_LAST];

/* The tables those columns belong to (entry OID = column OID minus its last arc), named for
 * notes: "alert table cut after 500 rows". */
struct std_table {
	const char *entry;
	const char *name;
};
extern const struct std_table snmp_std_tables[];
extern const size_t snmp_std_ntables;

#define STD_OID_HR_DEVICE_PRINTER "1.3.6.1.2.1.25.3.1.5"

extern const struct decode_enum snmp_enum_hr_device_status[];
extern const size_t snmp_enum_hr_device_status_n;
extern const struct decode_enum snmp_enum_hr_printer_status[];
extern const size_t snmp_enum_hr_printer_status_n;
extern const struct decode_enum snmp_enum_alert_severity[];
extern const size_t snmp_enum_alert_severity_n;
extern const struct decode_enum snmp_enum_alert_training[];
extern const size_t snmp_enum_alert_training_n;
extern const struct decode_enum snmp_enum_alert_group[];
extern const size_t snmp_enum_alert_group_n;
extern const struct decode_enum snmp_enum_alert_code[];
extern const size_t snmp_enum_alert_code_n;

/* Printer makers without a profile in devices/, by enterprise number (IANA registry via
 * fusioninventory/sysobject.ids, OIDS.md §5) and a sysDescr ERE. */
struct std_maker {
	unsigned long enterprise;
	const char *name;
	const char *sysdescr; /* ERE, case-insensitive */
};
extern const struct std_maker snmp_std_makers[];
extern const size_t snmp_std_nmakers;

#endif
