#!/usr/bin/python3
"""tests/sim/profile_snmp_sections.py — writes the `snmp` section of devices/<vendor>.json
(owned by the SNMP reader). Loads each file, replaces only the `snmp` key, dumps with indent=2.
OIDs: /work/shared/research/printers/OIDS.md §6 (BROTHER-MIB, MC2350-MIB, XEROX-COMMON-MIB,
HP LJ MIBs, GLPI MibSupport)."""
import json, os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "devices")
BRO = "1.3.6.1.4.1.2435.2.4.3.1240.5.6"
BMIB = "BROTHER-MIB (netdisco/netdisco-mibs@27ee787 brother/BROTHER-MIB.txt)"
SECTIONS = {
    "brother": {
        "source": BMIB,
        "firmware_sysdescr": "Firmware Ver\\.? ?([0-9A-Za-z.]+)",
        "settings": [
            {"fact": "identity.serial", "oid": "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0", "type": "string", "name": "brInfoSerialNumber", "source": "brother.snmprec (LibreNMS) / BROTHER-MIB"},
            {"fact": "smtp.enabled", "oid": BRO + ".2.0", "type": "enum", "enum": {"0": "no", "1": "yes"}, "name": "brpsEmailEnable", "source": BMIB},
            {"fact": "smtp.host", "oid": "1.3.6.1.4.1.2435.2.4.3.99.1.10.0", "type": "string", "name": "brSMTPServerName", "source": BMIB},
            {"fact": "smtp.host", "oid": BRO + ".4.0", "type": "ipaddress", "name": "brpsSMTPAddress", "source": BMIB},
            {"fact": "smtp.port", "oid": BRO + ".155.0", "type": "int", "name": "brpsSMTPPortNumber", "source": BMIB},
            {"fact": "smtp.auth", "oid": BRO + ".102.0", "type": "enum", "enum": {"0": "none", "1": "auto", "2": "pop-before-smtp"}, "name": "brpsSMTPServerAuthMethod", "source": BMIB + " (1 = SMTP-AUTH, the device picks the mechanism)"},
            {"fact": "smtp.user", "oid": BRO + ".103.0", "type": "string", "name": "brpsSMTPAUTHUsername", "source": BMIB},
            {"fact": "smtp.password_set", "oid": BRO + ".105.0", "type": "enum", "enum": {"0": "no", "1": "yes"}, "name": "brpsSMTPAUTHPasswordSet", "source": BMIB},
            {"fact": "smtp.from", "oid": "1.3.6.1.4.1.2435.2.4.3.99.2.6.0", "type": "string", "name": "brPrintersEmailaddress", "source": BMIB},
            {"fact": "smtp.test_result", "oid": BRO + ".220.0", "type": "hex16", "name": "brpsEmailTestResult", "source": BMIB + " (high byte send result, low byte receive result)"},
            {"fact": "smtp.total_messages", "oid": BRO + ".17.0", "type": "int", "name": "brpsSMTPTotalMessage", "source": BMIB},
            {"fact": "smtp.connect_failures", "oid": BRO + ".19.0", "type": "int", "name": "brpsSMTPTotalConnectFailure", "source": BMIB},
        ],
        "events": [
            {"oid": BRO + ".220.0", "name": "brpsEmailTestResult", "kind": "hex16", "ignore": [0], "text": "Device e-mail test result (brpsEmailTestResult)", "source": BMIB},
            {"oid": BRO + ".19.0", "name": "brpsSMTPTotalConnectFailure", "kind": "nonzero", "code": "SNMP-SMTP-CONNECT-FAILURES", "text": "SMTP connection failures since power-on (brpsSMTPTotalConnectFailure)", "source": BMIB},
            {"oid": BRO + ".20.0", "name": "brpsSMTPTotalRecvFromFailure", "kind": "nonzero", "code": "SNMP-SMTP-RECVFROM-ERRORS", "text": "SMTP socket receive (recvfrom) errors since power-on (brpsSMTPTotalRecvFromFailure)", "source": BMIB},
            {"oid": BRO + ".21.0", "name": "brpsSMTPTotalSendToFailure", "kind": "nonzero", "code": "SNMP-SMTP-SENDTO-ERRORS", "text": "SMTP socket send (sendto) errors since power-on (brpsSMTPTotalSendToFailure)", "source": BMIB},
            {"oid": BRO + ".12.0", "name": "brpsPOP3TotalConnectFailure", "kind": "nonzero", "code": "SNMP-POP3-CONNECT-FAILURES", "text": "POP3 connection failures since power-on (brpsPOP3TotalConnectFailure; matters for POP-before-SMTP)", "source": BMIB},
            {"oid": BRO + ".13.0", "name": "brpsPOP3TotalConnectionLost", "kind": "nonzero", "code": "SNMP-POP3-CONNECTION-LOST", "text": "POP3 connections lost since power-on (brpsPOP3TotalConnectionLost)", "source": BMIB},
            {"oid": BRO + ".14.0", "name": "brpsPOP3TotalUserFailure", "kind": "nonzero", "code": "SNMP-POP3-USER-FAILURES", "text": "POP3 USER rejections since power-on (brpsPOP3TotalUserFailure)", "source": BMIB},
            {"oid": BRO + ".15.0", "name": "brpsPOP3TotalPasswordFailure", "kind": "nonzero", "code": "SNMP-POP3-PASS-FAILURES", "text": "POP3 PASS rejections since power-on (brpsPOP3TotalPasswordFailure)", "source": BMIB},
            {"oid": BRO + ".221.0", "name": "brpsPOP3TotalAPOPFailure", "kind": "nonzero", "code": "SNMP-POP3-APOP-FAILURES", "text": "POP3 APOP login failures since power-on (brpsPOP3TotalAPOPFailure)", "source": BMIB},
            {"oid": BRO + ".16.0", "name": "brpsPOP3TotalIOError", "kind": "nonzero", "code": "SNMP-POP3-IO-ERRORS", "text": "POP3 I/O errors since power-on (brpsPOP3TotalIOError)", "source": BMIB},
            {"oid": "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.51.2.1.2", "table": True, "name": "brErrorHistoryDescription", "kind": "text", "text": "Error history", "source": BMIB},
        ],
    },
    "konica-minolta": {
        "source": "MC2350-MIB (cisco-kusanagi/mibs.snmplabs.com@48bb189 asn1/MC2350-MIB); magicolor (enterprise 2590) only — no public bizhub MIB",
        "settings": [
            {"fact": "smtp.enabled", "oid": "1.3.6.1.4.1.2590.1.1.2.1.5.7.13.1.1.2", "table": True, "type": "enum", "enum": {"1": "yes", "2": "no"}, "name": "mltNetSmtpEnable", "source": "MC2350-MIB"},
            {"fact": "smtp.host", "oid": "1.3.6.1.4.1.2590.1.1.2.1.5.7.13.1.1.3", "table": True, "type": "string", "name": "mltNetSmtpServerAddress", "source": "MC2350-MIB"},
            {"fact": "smtp.port", "oid": "1.3.6.1.4.1.2590.1.1.2.1.5.7.13.1.1.4", "table": True, "type": "int", "name": "mltNetSmtpPort", "source": "MC2350-MIB"},
            {"fact": "smtp.from", "oid": "1.3.6.1.4.1.2590.1.1.2.1.5.7.13.2.1.3", "table": True, "type": "string", "name": "mltNetSmtpFromAddress", "source": "MC2350-MIB"},
            {"fact": "identity.model", "oid": "1.3.6.1.4.1.18334.1.1.1.1.6.2.1.0", "type": "string", "name": "bizhub model", "source": "GLPI agent Konica.pm (glpi-project/glpi-agent@77f7cdd)"},
        ],
        "events": [],
    },
    "xerox": {
        "source": "XEROX-COMMON-MIB (cisco-kusanagi/mibs.snmplabs.com@48bb189 asn1/XEROX-COMMON-MIB)",
        "firmware_sysdescr": "; SS ([0-9.]+)",
        "settings": [
            {"fact": "smtp.scan_to_email_state", "oid": "1.3.6.1.4.1.253.8.74.5.2.1.4", "table": True, "where_column": "1.3.6.1.4.1.253.8.74.5.2.1.15", "where_value": "104", "type": "enum", "enum": {"1": "ready", "2": "onRequest", "3": "unavailable", "4": "unknown", "5": "busy", "6": "initializing", "7": "terminating"}, "name": "xcmSvcMonServiceCurrentState (row with xcmSvcMonServiceType = jobServiceScanToMailList(104))", "source": "XEROX-COMMON-MIB xcmSvcMonServiceTable"},
            {"fact": "smtp.scan_to_email_detail", "oid": "1.3.6.1.4.1.253.8.74.5.2.1.16", "table": True, "where_column": "1.3.6.1.4.1.253.8.74.5.2.1.15", "where_value": "104", "type": "string", "name": "xcmSvcMonServiceStateDetail", "source": "XEROX-COMMON-MIB xcmSvcMonServiceTable"},
        ],
        "events": [],
    },
    "hp": {
        "source": "LJ4345-MIB / LJ9500mfp-MIB (cisco-kusanagi/mibs.snmplabs.com@48bb189), older MFPs; GLPI HPNetPeripheral.pm",
        "settings": [
            {"fact": "identity.model", "oid": "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.2.0", "type": "string", "name": "hp model", "source": "GLPI agent HPNetPeripheral.pm"},
            {"fact": "identity.serial", "oid": "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0", "type": "string", "name": "hp serial", "source": "GLPI agent HPNetPeripheral.pm"},
            {"fact": "smtp.host", "oid": "1.3.6.1.4.1.11.2.3.9.4.2.1.2.2.1.80.0", "type": "string", "name": "scanner-accessory-digital-send-config-email-gateway", "source": "LJ4345-MIB"},
            {"fact": "smtp.digital_send_status", "oid": "1.3.6.1.4.1.11.2.3.9.4.2.1.2.2.1.65.0", "type": "bits", "bits": {"1": "digital-send-gateway-down", "2": "smtp-gateway-down", "4": "ldap-gateway-down"}, "name": "scanner-accessory-digital-send-status", "source": "LJ4345-MIB"},
        ],
        "events": [
            {"oid": "1.3.6.1.4.1.11.2.3.9.4.2.1.2.2.1.65.0", "name": "scanner-accessory-digital-send-status", "kind": "bits", "bits": {"1": "SNMP-DS-0x01", "2": "SNMP-DS-0x02", "4": "SNMP-DS-0x04"}, "text": "Digital send status", "source": "LJ4345-MIB"},
        ],
    },
    "canon": {"source": "GLPI agent Canon.pm", "settings": [
        {"fact": "identity.model", "oid": "1.3.6.1.4.1.1602.1.1.1.1.0", "type": "string", "name": "Canon product name", "source": "GLPI agent Canon.pm; canonprinter recordings"},
        {"fact": "identity.firmware", "oid": "1.3.6.1.4.1.1602.1.1.1.4.0", "type": "string", "name": "Canon version", "source": "GLPI agent Canon.pm"}], "events": []},
    "epson": {"source": "GLPI agent Epson.pm", "settings": [
        {"fact": "identity.model", "oid": "1.3.6.1.4.1.1248.1.2.2.1.1.1.2.1", "type": "string", "name": "Epson model", "source": "GLPI agent Epson.pm"},
        {"fact": "identity.serial", "oid": "1.3.6.1.4.1.1248.1.2.2.1.1.1.5.1", "type": "string", "name": "Epson serial", "source": "GLPI agent Epson.pm"}], "events": []},
    "toshiba": {"source": "GLPI agent Toshiba.pm", "settings": [
        {"fact": "identity.model", "oid": "1.3.6.1.4.1.1129.1.2.1.1.1.2.1.0", "type": "string", "name": "Toshiba model", "source": "GLPI agent Toshiba.pm"}], "events": []},
    "oki": {"source": "GLPI agent Oki.pm", "settings": [
        {"fact": "identity.model", "oid": "1.3.6.1.4.1.2001.1.1.1.1.11.1.10.25.0", "type": "string", "name": "OKI model", "source": "GLPI agent Oki.pm"},
        {"fact": "identity.serial", "oid": "1.3.6.1.4.1.2001.1.1.1.1.11.1.10.45.0", "type": "string", "name": "OKI serial", "source": "GLPI agent Oki.pm"}], "events": []},
    "ricoh": {"source": "GLPI agent Ricoh.pm", "firmware_sysdescr": "^RICOH [A-Za-z]+ [A-Z]?[0-9]+[A-Za-z]* ([0-9.]+) /", "settings": [], "events": []},
    "kyocera": {"source": "Praeda-II MPKP (OIDS.md §6.6)", "settings": [
        {"fact": "identity.model", "oid": "1.3.6.1.4.1.1347.40.35.1.1.2.1", "type": "string", "name": "Kyocera model", "source": "Praeda-II MPKP"}], "events": []},
}
for vid, sec in SECTIONS.items():
    path = os.path.join(ROOT, vid + ".json")
    with open(path, encoding="utf-8") as f:   # re-read immediately before writing
        obj = json.load(f)
    obj["snmp"] = sec
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print("updated", path)
