/* device/snmp_std.c — standard MIB objects as data; see snmp_std.h. Licence: see LICENSE. */
#include "device/snmp_std.h"

#include "util/buf.h"

const struct std_scalar snmp_std_scalars[] = {
	{"1.3.6.1.2.1.1.1.0", "identity.sysdescr", STD_STRING, "sysDescr"},
	{"1.3.6.1.2.1.1.2.0", "identity.sysobjectid", STD_OID, "sysObjectID"},
	{"1.3.6.1.2.1.1.3.0", "status.uptime_ticks", STD_TICKS, "sysUpTime"},
	{"1.3.6.1.2.1.1.4.0", "identity.contact", STD_STRING, "sysContact"},
	{"1.3.6.1.2.1.1.5.0", "identity.sysname", STD_STRING, "sysName"},
	{"1.3.6.1.2.1.1.6.0", "identity.location", STD_STRING, "sysLocation"},
	{"1.3.6.1.2.1.25.1.2.0", "status.clock", STD_DATE, "hrSystemDate"},
	{"1.3.6.1.2.1.43.5.1.1.16.1", "identity.printer_name", STD_STRING, "prtGeneralPrinterName"},
	{"1.3.6.1.2.1.43.5.1.1.17.1", "identity.serial", STD_STRING, "prtGeneralSerialNumber"},
	{"1.3.6.1.2.1.43.5.1.1.18.1", "status.alerts_critical_total", STD_COUNTER, "prtAlertCriticalEvents"},
	{"1.3.6.1.2.1.43.5.1.1.19.1", "status.alerts_all_total", STD_COUNTER, "prtAlertAllEvents"},
};
const size_t snmp_std_nscalars = ARRAY_SIZE(snmp_std_scalars);

const struct std_column snmp_std_columns[COL_STD_LAST] = {
	{COL_HR_DEV_TYPE, "1.3.6.1.2.1.25.3.2.1.2", "hrDeviceType"},
	{COL_HR_DEV_DESCR, "1.3.6.1.2.1.25.3.2.1.3", "hrDeviceDescr"},
	{COL_HR_DEV_STATUS, "1.3.6.1.2.1.25.3.2.1.5", "hrDeviceStatus"},
	{COL_HR_PRN_STATUS, "1.3.6.1.2.1.25.3.5.1.1", "hrPrinterStatus"},
	{COL_HR_PRN_ERRSTATE, "1.3.6.1.2.1.25.3.5.1.2", "hrPrinterDetectedErrorState"},
	{COL_ALERT_SEVERITY, "1.3.6.1.2.1.43.18.1.1.2", "prtAlertSeverityLevel"},
	{COL_ALERT_TRAINING, "1.3.6.1.2.1.43.18.1.1.3", "prtAlertTrainingLevel"},
	{COL_ALERT_GROUP, "1.3.6.1.2.1.43.18.1.1.4", "prtAlertGroup"},
	{COL_ALERT_GROUP_INDEX, "1.3.6.1.2.1.43.18.1.1.5", "prtAlertGroupIndex"},
	{COL_ALERT_LOCATION, "1.3.6.1.2.1.43.18.1.1.6", "prtAlertLocation"},
	{COL_ALERT_CODE, "1.3.6.1.2.1.43.18.1.1.7", "prtAlertCode"},
	{COL_ALERT_DESCR, "1.3.6.1.2.1.43.18.1.1.8", "prtAlertDescription"},
	{COL_ALERT_TIME, "1.3.6.1.2.1.43.18.1.1.9", "prtAlertTime"},
	{COL_CONSOLE_TEXT, "1.3.6.1.2.1.43.16.5.1.2", "prtConsoleDisplayBufferText"},
};

const struct std_table snmp_std_tables[] = {
	{"1.3.6.1.2.1.25.3.2.1", "hrDevice"},
	{"1.3.6.1.2.1.25.3.5.1", "hrPrinter"},
	{"1.3.6.1.2.1.43.18.1.1", "alert"},
	{"1.3.6.1.2.1.43.16.5.1", "console"},
};
const size_t snmp_std_ntables = ARRAY_SIZE(snmp_std_tables);

const struct decode_enum snmp_enum_hr_device_status[] = {
	{1, "unknown"}, {2, "running"}, {3, "warning"}, {4, "testing"}, {5, "down"},
};
const size_t snmp_enum_hr_device_status_n = ARRAY_SIZE(snmp_enum_hr_device_status);

const struct decode_enum snmp_enum_hr_printer_status[] = {
	{1, "other"}, {2, "unknown"}, {3, "idle"}, {4, "printing"}, {5, "warmup"},
};
const size_t snmp_enum_hr_printer_status_n = ARRAY_SIZE(snmp_enum_hr_printer_status);

const struct decode_enum snmp_enum_alert_severity[] = {
	{1, "other"}, {3, "critical"}, {4, "warning"}, {5, "warningBinaryChangeEvent"},
};
const size_t snmp_enum_alert_severity_n = ARRAY_SIZE(snmp_enum_alert_severity);

const struct decode_enum snmp_enum_alert_training[] = {
	{1, "other"}, {2, "unknown"}, {3, "untrained"}, {4, "trained"}, {5, "fieldService"}, {6, "management"},
	{7, "noInterventionRequired"},
};
const size_t snmp_enum_alert_training_n = ARRAY_SIZE(snmp_enum_alert_training);

const struct decode_enum snmp_enum_alert_group[] = {
	{1, "other"}, {2, "unknown"}, {3, "hostResourcesMIBStorageTable"}, {4, "hostResourcesMIBDeviceTable"},
	{5, "generalPrinter"}, {6, "cover"}, {7, "localization"}, {8, "input"}, {9, "output"}, {10, "marker"},
	{11, "markerSupplies"}, {12, "markerColorant"}, {13, "mediaPath"}, {14, "channel"}, {15, "interpreter"},
	{16, "consoleDisplayBuffer"}, {17, "consoleLights"}, {18, "alert"}, {30, "finDevice"}, {31, "finSupply"},
	{32, "finSupplyMediaInput"}, {33, "finAttribute"},
};
const size_t snmp_enum_alert_group_n = ARRAY_SIZE(snmp_enum_alert_group);

/* PrtAlertCodeTC (IANA-PRINTER-MIB), the general and most frequent values. */
const struct decode_enum snmp_enum_alert_code[] = {
	{1, "other"}, {2, "unknown"}, {3, "coverOpen"}, {4, "coverClosed"}, {5, "interlockOpen"},
	{6, "interlockClosed"}, {7, "configurationChange"}, {8, "jam"}, {9, "subunitMissing"},
	{10, "subunitLifeAlmostOver"}, {11, "subunitLifeOver"}, {12, "subunitAlmostEmpty"}, {13, "subunitEmpty"},
	{14, "subunitAlmostFull"}, {15, "subunitFull"}, {16, "subunitNearLimit"}, {17, "subunitAtLimit"},
	{18, "subunitOpened"}, {19, "subunitClosed"}, {20, "subunitTurnedOn"}, {21, "subunitTurnedOff"},
	{22, "subunitOffline"}, {23, "subunitPowerSaver"}, {24, "subunitWarmingUp"}, {25, "subunitAdded"},
	{26, "subunitRemoved"}, {27, "subunitResourceAdded"}, {28, "subunitResourceRemoved"},
	{29, "subunitRecoverableFailure"}, {30, "subunitUnrecoverableFailure"},
	{31, "subunitRecoverableStorageError"}, {32, "subunitUnrecoverableStorageError"},
	{33, "subunitMotorFailure"}, {34, "subunitMemoryExhausted"}, {35, "subunitUnderTemperature"},
	{36, "subunitOverTemperature"}, {37, "subunitTimingFailure"}, {38, "subunitThermistorFailure"},
	{501, "doorOpen"}, {502, "doorClosed"}, {503, "powerUp"}, {504, "powerDown"}, {505, "printerNMSReset"},
	{506, "printerManualReset"}, {507, "printerReadyToPrint"}, {801, "inputMediaTrayMissing"},
	{802, "inputMediaSizeChange"}, {803, "inputMediaWeightChange"}, {804, "inputMediaTypeChange"},
	{805, "inputMediaColorChange"}, {806, "inputMediaFormPartsChange"}, {807, "inputMediaSupplyLow"},
	{808, "inputMediaSupplyEmpty"}, {809, "inputMediaChangeRequest"}, {810, "inputManualInputRequest"},
	{811, "inputTrayPositionFailure"}, {812, "inputTrayElevationFailure"}, {813, "inputCannotFeedSizeSelected"},
	{901, "outputMediaTrayMissing"}, {902, "outputMediaTrayAlmostFull"}, {903, "outputMediaTrayFull"},
	{904, "outputMailboxSelectFailure"}, {1001, "markerFuserUnderTemperature"},
	{1002, "markerFuserOverTemperature"}, {1003, "markerFuserTimingFailure"},
	{1004, "markerFuserThermistorFailure"}, {1005, "markerAdjustingPrintQuality"},
	{1101, "markerTonerEmpty"}, {1102, "markerInkEmpty"}, {1103, "markerPrintRibbonEmpty"},
	{1104, "markerTonerAlmostEmpty"}, {1105, "markerInkAlmostEmpty"}, {1106, "markerPrintRibbonAlmostEmpty"},
	{1107, "markerWasteTonerReceptacleAlmostFull"}, {1108, "markerWasteInkReceptacleAlmostFull"},
	{1109, "markerWasteTonerReceptacleFull"}, {1110, "markerWasteInkReceptacleFull"},
	{1111, "markerOpcLifeAlmostOver"}, {1112, "markerOpcLifeOver"}, {1113, "markerDeveloperAlmostEmpty"},
	{1114, "markerDeveloperEmpty"}, {1115, "markerTonerCartridgeMissing"}, {1301, "mediaPathMediaTrayMissing"},
	{1302, "mediaPathMediaTrayAlmostFull"}, {1303, "mediaPathMediaTrayFull"},
	{1304, "mediaPathCannotDuplexMediaSelected"}, {1501, "interpreterMemoryIncrease"},
	{1502, "interpreterMemoryDecrease"}, {1503, "interpreterCartridgeAdded"},
	{1504, "interpreterCartridgeDeleted"}, {1505, "interpreterResourceAdded"},
	{1506, "interpreterResourceDeleted"}, {1507, "interpreterResourceUnavailable"},
	{1509, "interpreterComplexPageEncountered"}, {1801, "alertRemovalOfBinaryChangeEntry"},
};
const size_t snmp_enum_alert_code_n = ARRAY_SIZE(snmp_enum_alert_code);

const struct std_maker snmp_std_makers[] = {
	{236, "Samsung", "^Samsung "},
	{674, "Dell", "^Dell "},
	{683, "Zebra", "^Zebra "},
	{186, "Toshiba", NULL},
};
const size_t snmp_std_nmakers = ARRAY_SIZE(snmp_std_makers);
