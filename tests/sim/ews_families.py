"""ews_families.py — the families ews_server.py simulates: per family its fixture directory
(tests/fixtures/web/<dir>/), Server header, root page, login description and pages. Data only.

login kinds: form (POST or GET submit), basic, digest, none. Keys of a form login: page/page_file
(GET first, CSRF token), action, user_field/pass_field (b64: base64 values), token_field,
ok_redirect/ok_file/ok_body, fail_redirect/fail_file/fail_body, fail_cookies (a refusal still
sets cookies, as Kyocera's same-page answer does), cookie_check (name, value, fixture: the login
answers with the fixture when the cookie is missing; Ricoh), login_redirect, cookie, extra_cookie,
stub_file, need_referer, logout, cookie_on_ip (Domain=127.0.0.1: a cookie on an IP host). "public": pages served without the login. "read_posts":
path -> fixture answered to an XML GetValue POST (Toshiba TopAccess read commands).
"""

# Per family: directory of fixtures, Server header, root page, login description and pages.
#   login kinds: form (POST or GET submit), basic, digest, none
#   pages: path -> fixture file (relative to the family directory); "auth": paths needing login
# A Konica Minolta refusal as real devices send it: HTTP 200, CRLF, XML with a client-side stylesheet.
KM_ERR = ('<?xml version="1.0" encoding="UTF-8"?>\r\n<?xml-stylesheet href="autherror.xsl" type="text/xsl"?>\r\n'
          '<MFP><Function>err</Function><LangNo>En</LangNo><Message><Item Code="Err_2">%s</Item></Message>'
          '<Redirect>./login.xml</Redirect><MsgVoid>false</MsgVoid></MFP>\r\n')

FAMILIES = {
    "xerox-workcentre": {
        "dir": "xerox", "server": "Xerox_MicroServer/Xerox11", "root": "wc_index.html",
        "login": {"kind": "form", "method": "POST", "page": "/header.php?tab=status", "page_file": "wc_header.html",
                  "action": "/userpost/xerox.set", "user_field": "webUsername", "pass_field": "webPassword",
                  "ok_redirect": "/properties/authentication/luidLogin.php", "fail_redirect": "/login.php?invalid=t",
                  "login_redirect": "/login.php", "cookie": "PHPSESSID"},
        "pages": {"/properties/protocols/smtp.dhtml": "wc_smtp.dhtml", "/properties/maintenance/joblog.php": "wc_joblog.html",
                  "/properties/authentication/luidLogin.php": "wc_loggedin.html", "/login.php": "wc_login.html"},
        "public": ["/login.php"],
    },
    "xerox-altalink": {
        "dir": "xerox", "server": "Xerox EWS", "root": "al_index.html",
        "login": {"kind": "form", "method": "GET", "action": "/LOGIN.cmd", "user_field": "NAME", "pass_field": "PSW", "b64": True,
                  "ok_body": '{"result":"0","errorCode":"0","koDefault":"0","snmpDefault":"0","globalIP":"0","passwordChangeRequired":"0"}',
                  "fail_body": '{"result":"1","errorCode":"2"}', "login_redirect": "/login.html", "cookie": "sessionId"},
        "pages": {"/webui/json/email/smtp": "al_smtp.json", "/login.html": "al_login.html"},
        "public": ["/login.html"],
    },
    "hp-ledm": {
        "dir": "hp", "server": "HP HTTP Server; HP LaserJet Pro MFP M428fdw - W1A30A; Serial Number: PHBBB12345",
        "root": "ledm_index.html", "login": {"kind": "none"},
        "pages": {"/DevMgmt/ProductConfigDyn.xml": "ProductConfigDyn.xml", "/DevMgmt/DiscoveryTree.xml": "DiscoveryTree.xml",
                  "/DevMgmt/Email/EmailServiceManifest.xml": "EmailServiceManifest.xml",
                  "/DevMgmt/Email/SmtpServers": "SmtpServers.xml", "/DevMgmt/ProductLogsDyn.xml": "ProductLogsDyn.xml",
                  "/cdm/servicesDiscovery": "servicesDiscovery.json"},
    },
    "hp-futuresmart": {
        "dir": "hp", "server": "Embedded Web Server", "root": "fs_index.html",
        "login": {"kind": "form", "method": "POST", "page": "/hp/device/SignIn/Index", "page_file": "fs_signin.html",
                  "action": "/hp/device/SignIn/Index", "user_field": None, "pass_field": "PasswordTextBox",
                  "token_field": "CSRFToken", "ok_redirect": "/hp/device/DeviceStatus/Index", "fail_file": "fs_signin_failed.html",
                  "login_redirect": "/hp/device/SignIn/Index", "cookie": "sessionId"},
        "pages": {"/hp/device/EmailSetup/Index": "fs_email.html", "/hp/device/EventLog/Index": "fs_eventlog.html",
                  "/hp/device/DeviceStatus/Index": "fs_index.html"},
    },
    "kyocera": {
        "dir": "kyocera", "user": "Admin", "server": "KM-MFP-http/V0.0.1", "root": "index.html",
        "login": {"kind": "form", "method": "POST", "action": "/startwlm/login.cgi", "user_field": "arg01_UserName",
                  "pass_field": "arg02_Password", "ok_file": "start_wlm.html", "fail_file": "login_error.html",
                  "cookie": "rtl", "extra_cookie": ("level", "1"), "stub_file": "model_stub.htm", "need_referer": True,
                  "fail_cookies": True},  # a refused login answers the same page and still sets cookies
        "pages": {"/js/jssrc/model/funcset/email/FuncSet_Email_EmailSet.model.htm": "FuncSet_Email_EmailSet.model.htm",
                  "/job/JobSts_SndJobLog_SndJobs.htm": "JobSts_SndJobLog_SndJobs.htm", "/js/jsallWLM.js": "jsallWLM.js",
                  "/startwlm/Start_Wlm.htm": "start_wlm_before.html"},
        "public": ["/startwlm/Start_Wlm.htm", "/js/jsallWLM.js"],
    },
    "brother": {
        "dir": "brother", "server": "debut/1.30", "root": "status.html",
        "login": {"kind": "form", "method": "POST", "page": "/general/status.html", "page_file": "status.html",
                  "action": "/general/status.html", "user_field": None, "pass_field": "B1a1", "token_field": "CSRFToken",
                  "ok_file": "status_loggedin.html", "fail_file": "status_failed.html", "login_redirect": "/general/status.html",
                  "cookie": "AuthCookie"},
        "pages": {"/net/net/smtp.html": "smtp.html", "/general/eventlog.html": "eventlog.html"},
    },
    "ricoh": {
        "dir": "ricoh", "server": "Web-Server/3.0", "root": "index.html",
        "login": {"kind": "form", "method": "POST", "page": "/web/guest/en/websys/webArch/authForm.cgi", "page_file": "authForm.html",
                  "action": "/web/guest/en/websys/webArch/login.cgi", "user_field": "userid", "pass_field": "password",
                  "b64": True, "token_field": "wimToken", "ok_redirect": "/web/guest/en/websys/webArch/mainFrame.cgi",
                  "fail_file": "authForm_failed.html", "login_redirect": "/web/guest/en/websys/webArch/authForm.cgi",
                  "cookie": "wimsesid", "logout": "/web/guest/en/websys/webArch/logout.cgi",
                  "cookie_check": ("cookieOnOffChecker", "on", "login_cookie_error.html")},
        "pages": {"/web/guest/en/websys/webArch/topPage.cgi": "topPage.html", "/web/entry/en/websys/netw/getSmtp.cgi": "getSmtp.html",
                  "/web/entry/en/websys/status/getSendLog.cgi": "getSendLog.html",
                  "/web/guest/en/websys/webArch/mainFrame.cgi": "mainFrame.html"},
        "public": ["/web/guest/en/websys/webArch/topPage.cgi", "/web/guest/en/websys/webArch/mainFrame.cgi"],
    },
    "canon": {
        "dir": "canon", "user": "7654321", "server": "CANON HTTP Server", "root": "index.html",
        "login": {"kind": "form", "method": "POST", "action": "/login", "user_field": "deptid", "pass_field": "password",
                  "ok_redirect": "/rps/nativetop.cgi", "fail_file": "login_failed.html", "login_redirect": "/",
                  "cookie": "sessionid", "cookie_on_ip": True},
        "pages": {"/rps/cesmtp.cgi": "cesmtp.html", "/rps/jlsend.cgi": "jlsend.html", "/rps/nativetop.cgi": "nativetop.html"},
    },
    "konica-minolta": {
        "dir": "konica-minolta", "server": "Apache", "root": "index.html",
        "login": {"kind": "form", "method": "GET", "page": "/wcd/index.html", "page_file": "wcd_index.html",
                  "action": "/wcd/login.cgi", "user_field": None, "pass_field": "password",
                  "ok_body": '<html><script>document.cookie="adm=AS_COU";</script></html>',
                  "fail_body": KM_ERR % "CommonLoginError",
                  "login_redirect": "/wcd/index.html", "cookie": "ID", "logout": "/wcd/a_user.cgi"},
        "pages": {"/wcd/system_network.xml": "system_network.xml", "/wcd/job_history.xml": "job_history.xml"},
    },
    "sharp": {
        "dir": "sharp", "server": "Rapid Logic/1.1", "root": "index.html",
        "login": {"kind": "form", "method": "POST", "page": "/login.html?/nw_email.html", "page_file": "login.html",
                  "action": "/login.html?/nw_email.html", "user_field": None, "pass_field": "ggt_textbox(10003)",
                  "token_field": "token2", "ok_redirect": "/nw_email.html", "fail_file": "login.html",
                  "login_redirect": "/login.html?/nw_email.html", "cookie": "MFPSESSIONID"},
        "pages": {"/nw_email.html": "nw_email.html", "/jobLog_send.html": "jobLog_send.html"},
    },
    "lexmark": {
        "dir": "lexmark", "server": "Lexmark_Web_Server", "root": "index.html",
        "login": {"kind": "basic", "realm": "Secure Settings"},
        "pages": {"/cgi-bin/dynamic/printer/config/reports/deviceinfo.html": "deviceinfo.html",
                  "/cgi-bin/dynamic/printer/config/secure/emailsetup.html": "emailsetup.html"},
        "public": ["/cgi-bin/dynamic/printer/config/reports/deviceinfo.html"],
    },
    "lexmark-digest": {  # same pages behind HTTP Digest (tested with an overlay profile)
        "dir": "lexmark", "server": "Lexmark_Web_Server", "root": "index.html",
        "login": {"kind": "digest", "realm": "Secure Settings"},
        "pages": {"/cgi-bin/dynamic/printer/config/reports/deviceinfo.html": "deviceinfo.html",
                  "/cgi-bin/dynamic/printer/config/secure/emailsetup.html": "emailsetup.html"},
        "public": ["/cgi-bin/dynamic/printer/config/reports/deviceinfo.html"],
    },
    "toshiba": {  # TopAccess: data read with POSTed XML GetValue commands (a declared read-only POST)
        "dir": "toshiba", "server": "TOSHIBA TEC CORPORATION", "root": "index.html", "login": {"kind": "none"},
        "pages": {}, "read_posts": {"/contentwebserver": "device_info.xml"},
    },
    "epson": {
        "dir": "epson", "server": "EPSON_Linux UPnP/1.0 Epson UPnP SDK/1.0", "root": "index.html",
        "login": {"kind": "form", "method": "POST", "page": "/PRESENTATION/ADVANCED/PASSWORD/TOP", "page_file": "password_top.html",
                  "action": "/PRESENTATION/ADVANCED/PASSWORD/SET", "user_field": None, "pass_field": "INPUTT_PASSWORD",
                  "token_field": "INPUTT_SETUPTOKEN", "ok_redirect": "/PRESENTATION/ADVANCED/COMMON/TOP",
                  "fail_file": "password_failed.html", "login_redirect": "/PRESENTATION/ADVANCED/PASSWORD/TOP", "cookie": "EPSON_COOKIE_SESSION"},
        "pages": {"/PRESENTATION/ADVANCED/NWS_EMAIL_SERVER/TOP": "email_server.html",
                  "/PRESENTATION/ADVANCED/COMMON/TOP": "common_top.html", "/PRESENTATION/HTML/TOP/PRTINFO.HTML": "prtinfo.html",
                  "/PRESENTATION/ADVANCED/INFO_NWINFO/TOP": "nwinfo.html"},
        "public": ["/PRESENTATION/HTML/TOP/PRTINFO.HTML", "/PRESENTATION/ADVANCED/INFO_NWINFO/TOP"],
    },
}
