#!/usr/bin/python3
"""Generate the test PKI for the simulated SMTP world.

Usage:  /usr/bin/python3 tests/sim/mkcerts.py DIR      (or tests/sim/mkcerts.sh DIR)

Creates in DIR (mode 0755 dir, keys 0644 so that a private Postfix running as
user 'postfix' may also read them -- these are throw-away test keys):

  ca.pem / ca.key                 "mfpdoctor sim test CA" (self-signed, 10 years)
  server.pem / server.key         CA-signed, valid now, SAN DNS:localhost,
                                  DNS:mail.sim.test, IP:127.0.0.1
  expired.pem / expired.key       CA-signed, validity entirely in the past
                                  (not before = now-2y, not after = now-1y), same SANs
  wrongname.pem / wrongname.key   CA-signed, valid, SAN only DNS:other.example.net
  selfsigned.pem / selfsigned.key NOT CA-signed (self-issued), SAN DNS:localhost,
                                  IP:127.0.0.1

Idempotent: if every file exists, the CA parses, server.pem and wrongname.pem
are still valid for at least 1 day and every leaf chains to the CA, nothing is
regenerated (fast path, ~50 ms).  Concurrent invocations on the same DIR are
serialised with a lock file; files are written to temp names and renamed.
Keys: RSA 2048 (widest client compatibility, incl. TLS 1.0 with old ciphers).
Needs: python3-cryptography (Debian).
"""
import datetime
import fcntl
import ipaddress
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa, padding
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID

FILES = ["ca", "server", "expired", "wrongname", "selfsigned"]
SERVER_SANS = [x509.DNSName("localhost"), x509.DNSName("mail.sim.test"),
               x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mfpdoctor sim"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write(path, data):
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _pem_key(k):
    return k.private_bytes(serialization.Encoding.PEM,
                           serialization.PrivateFormat.TraditionalOpenSSL,
                           serialization.NoEncryption())


def _leaf(cn, sans, key, issuer_name, issuer_key, not_before, not_after, ca_key_for_aki=None):
    b = (x509.CertificateBuilder()
         .subject_name(_name(cn))
         .issuer_name(issuer_name)
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(not_before)
         .not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True,
                                      content_commitment=False, data_encipherment=False,
                                      key_agreement=False, key_cert_sign=False, crl_sign=False,
                                      encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
         .add_extension(x509.SubjectAlternativeName(sans), critical=False)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if ca_key_for_aki is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca_key_for_aki.public_key()), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _is_fresh(d):
    try:
        for n in FILES:
            for ext in (".pem", ".key"):
                if not os.path.getsize(os.path.join(d, n + ext)):
                    return False
        certs = {}
        for n in FILES:
            with open(os.path.join(d, n + ".pem"), "rb") as f:
                certs[n] = x509.load_pem_x509_certificate(f.read())
        ca = certs["ca"]
        now = _now()
        soon = now + datetime.timedelta(days=1)
        for n in ("ca", "server", "wrongname", "selfsigned"):
            if not (certs[n].not_valid_before <= now.replace(tzinfo=None)
                    and certs[n].not_valid_after > soon.replace(tzinfo=None)):
                return False
        if certs["expired"].not_valid_after >= now.replace(tzinfo=None):
            return False
        for n in ("server", "expired", "wrongname"):
            c = certs[n]
            ca.public_key().verify(c.signature, c.tbs_certificate_bytes,
                                   padding.PKCS1v15(), c.signature_hash_algorithm)
        return True
    except Exception:
        return False


def generate(d):
    now = _now()
    day = datetime.timedelta(days=1)
    ca_key = _key()
    ca_name = _name("mfpdoctor sim test CA")
    ca = (x509.CertificateBuilder()
          .subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - 3650 * day)
          .not_valid_after(now + 3650 * day)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False,
                                       content_commitment=False, data_encipherment=False,
                                       key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    out = {"ca": (ca, ca_key)}
    k = _key()
    out["server"] = (_leaf("mail.sim.test", SERVER_SANS, k, ca_name, ca_key,
                           now - day, now + 825 * day, ca_key), k)
    k = _key()
    out["expired"] = (_leaf("mail.sim.test", SERVER_SANS, k, ca_name, ca_key,
                            now - 730 * day, now - 365 * day, ca_key), k)
    k = _key()
    out["wrongname"] = (_leaf("other.example.net", [x509.DNSName("other.example.net")], k,
                              ca_name, ca_key, now - day, now + 825 * day, ca_key), k)
    k = _key()
    ss_sans = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    out["selfsigned"] = (_leaf("localhost", ss_sans, k, _name("localhost"), k,
                               now - day, now + 825 * day), k)
    # keys first, then certs; ca.pem last so a half-written set is never "fresh"
    for n in FILES:
        _write(os.path.join(d, n + ".key"), _pem_key(out[n][1]))
    for n in FILES[1:] + ["ca"]:
        _write(os.path.join(d, n + ".pem"), out[n][0].public_bytes(serialization.Encoding.PEM))


def main(argv):
    if len(argv) != 2:
        print("usage: mkcerts.py DIR", file=sys.stderr)
        return 2
    d = os.path.abspath(argv[1])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, ".mkcerts.lock"), "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        if _is_fresh(d):
            return 0
        generate(d)
        if not _is_fresh(d):
            print("mkcerts: generated certificates failed self-check", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
