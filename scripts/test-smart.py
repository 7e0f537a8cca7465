#!/usr/bin/env python3
"""Security at the edge, end to end, as a partner or hospital meets it (run by scripts/test.sh).

Starts `tandem serve` on 127.0.0.1 with TLS (a throwaway CA and certificates made here with openssl), a
sender that also authenticates by client certificate (mTLS), a partner that signs in as a SMART Backend
Services client, and an operator. Then:

- a partner obtains a token exactly as a SMART client library does (authlib's private_key_jwt, RS384),
  reads what it is routed and nothing else, and every one of its accesses is in the audit trail;
- assertions that are expired, for the wrong audience, replayed, signed by an unknown key, asking for a
  scope the client may not have, or not RS384/ES384, are refused; an ES384 client works too;
- mTLS: a mapped client certificate authenticates its sender, an unmapped one is refused, one from another
  CA cannot connect; plain HTTP to the TLS port gets no answer;
- slow clients (slowloris) are cut off at the request deadline while others are served;
- a flood over the rate limit is answered 429 with Retry-After and audited as one counted summary;
- SIGHUP reloads credentials and the certificate without dropping an open connection, then the mappings;
- a bounded fuzz pass over the token endpoint never gets a 5xx and leaves the server serving.

Prints 'N passed, N failed' and exits 1 on any failure.
"""
import json
import os
import random
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign

import livecheck
from livecheck import check, free_port, token_hash

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TANDEM = os.environ.get("TANDEM_BINARY", os.path.join(ROOT, ".build", "debug", "tandem"))
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

def openssl(*arguments, cwd):
    subprocess.run(["openssl", *arguments], cwd=cwd, check=True, capture_output=True)


def make_pki(directory):
    """A CA, the server's certificate for 127.0.0.1, two client certificates from the CA (one mapped to a
    sender, one not) and one from a CA the server does not trust."""
    for ca in ("ca", "rogue-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
                "-days", "2", "-subj", f"/CN=Tandem test {ca}", cwd=directory)
    with open(os.path.join(directory, "server.ext"), "w") as file:
        file.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name, ca, extension in (("server", "ca", "server.ext"), ("server2", "ca", "server.ext"),
                                ("hospital-engine", "ca", None), ("stranger", "ca", None),
                                ("rogue", "rogue-ca", None)):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}", cwd=directory)
        arguments = ["x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
                     "-CAcreateserial", "-out", f"{name}.pem", "-days", "2"]
        if extension:
            arguments += ["-extfile", extension]
        openssl(*arguments, cwd=directory)


class Gateway:
    def __init__(self, directory, config):
        self.directory = directory
        self.port = free_port()
        self.base = f"https://127.0.0.1:{self.port}"
        self.ca = os.path.join(directory, "ca.pem")
        self.config_path = os.path.join(directory, "tandem.json")
        self.write(config)
        environment = dict(os.environ, TANDEM_LISTEN=f"127.0.0.1:{self.port}",
                           TANDEM_MAPPINGS=os.path.join(ROOT, "Mappings"))
        environment.pop("TANDEM_CONFIG", None)
        environment.pop("TANDEM_STORE_URL", None)
        self.log = open(os.path.join(directory, "server.log"), "w")
        self.process = subprocess.Popen([TANDEM, "serve", "--config", self.config_path], cwd=directory,
                                        env=environment, stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("tandem serve exited:\n" + open(self.log.name).read())
            try:
                if requests.get(self.base + "/health/ready", verify=self.ca, timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise SystemExit("tandem serve did not become ready:\n" + open(self.log.name).read())

    def write(self, config):
        with open(self.config_path, "w") as file:
            json.dump(config, file)

    def url(self, path):
        return self.base + path

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def rsa_key(kid):
    return JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": kid})


def ec_key(kid):
    return JsonWebKey.generate_key("EC", "P-384", is_private=True, options={"kid": kid})


def public_jwks(*keys):
    return {"keys": [dict(key.as_dict(is_private=False), alg=alg) for key, alg in keys]}


def assertion(key, client_id, audience, alg="RS384", kid=None, lifetime=240, jti=None, **changes):
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": audience, "exp": now + lifetime,
              "jti": str(uuid.uuid4()) if jti is None else jti}
    claims.update(changes)
    if kid is not None:
        # authlib writes the key's own kid into the header: sign with a copy that has none.
        key = JsonWebKey.import_key({k: v for k, v in key.as_dict(is_private=True).items() if k != "kid"})
    header = {"alg": alg, "kid": kid or key.as_dict()["kid"], "typ": "JWT"}
    return jwt.encode(header, claims, key).decode()


class SMARTPrivateKeyJWT(PrivateKeyJWT):
    """authlib's private_key_jwt client authentication with the assertion lifetime SMART Backend Services
    requires (at most five minutes; authlib's default is an hour)."""

    def sign(self, auth, token_endpoint):
        return private_key_jwt_sign(auth.client_secret, client_id=auth.client_id, token_endpoint=token_endpoint,
                                    claims=self.claims, header=self.headers, alg=self.alg, expires_in=300)


def token_request(gateway, signed, scope="system/*.rs"):
    return requests.post(gateway.url("/auth/token"), verify=gateway.ca, data={
        "grant_type": "client_credentials", "scope": scope,
        "client_assertion_type": ASSERTION_TYPE, "client_assertion": signed})


def main():
    directory = tempfile.mkdtemp(prefix="tandem-smart-")
    make_pki(directory)
    partner_key, ec_partner_key, stranger_key = rsa_key("eyecare-rs"), ec_key("eyecare-es"), rsa_key("eyecare-rs")
    with open(os.path.join(directory, "eyecare-jwks.json"), "w") as file:
        json.dump(public_jwks((partner_key, "RS384"), (ec_partner_key, "ES384")), file)
    sender_token, operator_token, flood_token = "hospital-token", "operator-token", "flood-token"
    config = {
        "store": "sqlite:./data/tandem.sqlite",
        "senders": [
            {"name": "lakeside-eye-surgery", "tokenHash": token_hash(sender_token), "allowedTypes": ["*"]},
            {"name": "cobalt-ridge-regional-hospital", "tokenHash": token_hash("cobalt-token"),
             "allowedTypes": ["*"]},
            {"name": "flood", "tokenHash": token_hash(flood_token), "allowedTypes": ["Patient"]},
        ],
        "partners": [{"id": "eyecare", "endpoint": "http://127.0.0.1:9/notify",
                      "serviceLines": ["ophthalmology.cataract"], "timeout": "1s"}],
        "operators": [{"name": "ops", "tokenHash": token_hash(operator_token)}],
        "clients": [{"clientId": "eyecare-app", "partner": "eyecare", "scopes": ["system/*.rs"],
                     "jwksFile": os.path.join(directory, "eyecare-jwks.json")}],
        "tls": {"certificate": "server.pem", "key": "server.key", "clientCA": "ca.pem",
                "clientCertificates": [{"sender": "lakeside-eye-surgery", "commonName": "hospital-engine"}]},
        "limits": {"requestsPerSecond": 40, "burst": 80, "requestTimeout": "2s", "refusalSummaryInterval": "1s"},
    }
    gateway = Gateway(directory, config)
    try:
        run(gateway, config, directory, partner_key, ec_partner_key, stranger_key, sender_token, operator_token,
            flood_token)
    finally:
        gateway.stop()
    if livecheck.failed:
        print(open(os.path.join(directory, "server.log")).read()[-4000:], file=sys.stderr)
    else:
        shutil.rmtree(directory, ignore_errors=True)
    livecheck.finish()


def run(gateway, config, directory, partner_key, ec_partner_key, stranger_key, sender_token, operator_token,
        flood_token):
    ca = gateway.ca
    # authlib's session leaves verification to requests, which reads the CA bundle from the environment.
    os.environ["REQUESTS_CA_BUNDLE"] = ca
    hospital = {"Authorization": f"Bearer {sender_token}", "Content-Type": "application/fhir+json"}
    operator = {"Authorization": f"Bearer {operator_token}"}

    # Discovery, as a SMART client starts.
    discovery = requests.get(gateway.url("/fhir/.well-known/smart-configuration"), verify=ca).json()
    token_url = discovery.get("token_endpoint")
    check(token_url == gateway.url("/auth/token"), f"smart-configuration names the token endpoint: {discovery}")
    check("private_key_jwt" in discovery.get("token_endpoint_auth_methods_supported", []), "private_key_jwt offered")
    check({"RS384", "ES384"} <= set(discovery.get("token_endpoint_auth_signing_alg_values_supported", [])),
          "RS384 and ES384 offered")
    jwks = requests.get(gateway.url("/.well-known/jwks.json"), verify=ca).json()
    check(len(jwks.get("keys", [])) >= 1 and all("d" not in key for key in jwks["keys"]),
          "jwks.json publishes public keys only")

    # A hospital posts two referrals: one the partner is routed (cataract), one it is not (cardiology).
    with open(os.path.join(ROOT, "Samples/ophthalmology.cataract/01-referral.json"), "rb") as file:
        answer = requests.post(gateway.url("/fhir"), data=file.read(), headers=hospital, verify=ca)
    check(answer.status_code == 200, f"the cataract referral is accepted: {answer.status_code} {answer.text[:300]}")
    with open(os.path.join(ROOT, "Samples/cardiology.service-line/01-referral.json"), "rb") as file:
        answer = requests.post(gateway.url("/fhir"), data=file.read(), verify=ca,
                               headers=dict(hospital, Authorization="Bearer cobalt-token"))
    check(answer.status_code == 200, f"the cardiology referral is accepted: {answer.status_code}")
    cardiology = [entry["response"]["location"] for entry in answer.json().get("entry", [])]

    # The partner obtains a token exactly as a SMART client library does, and uses it.
    session = OAuth2Session("eyecare-app", partner_key.as_pem(is_private=True),
                            token_endpoint_auth_method=SMARTPrivateKeyJWT(token_url, alg="RS384",
                                                                           headers={"kid": "eyecare-rs"}),
                            scope="system/*.rs system/Patient.c")
    token = session.fetch_token(token_url, grant_type="client_credentials", verify=ca)
    check(token.get("token_type", "").lower() == "bearer" and token.get("expires_in", 0) > 0, f"a token: {token}")
    check(token.get("scope") == "system/*.rs", f"scopes are narrowed to the registration: {token.get('scope')}")
    episodes = session.get(gateway.url("/episodes")).json().get("episodes", [])
    check(len(episodes) == 1 and episodes[0].get("serviceLine") == "ophthalmology.cataract",
          f"the partner lists the episode it is routed, and only that one: {[e.get('serviceLine') for e in episodes]}")
    episode = episodes[0] if episodes else {}
    episode_read = session.get(gateway.url(f"/episodes/{episode.get('id', 'none')}"))
    check(episode_read.status_code == 200, f"the partner reads its episode: {episode_read.status_code}")
    referral = next((r for r in episode.get("sources", []) if r.startswith("ServiceRequest/")), None)
    check(referral is not None, f"the episode names its referral: {episode.get('sources')}")
    read = session.get(gateway.url(f"/fhir/{referral}"), headers={"Accept": "application/fhir+json"})
    check(read.status_code == 200, f"the partner reads the referral it is routed: {read.status_code}")
    not_routed = next((location for location in cardiology if location.startswith("ServiceRequest/")), "")
    refused_read = session.get(gateway.url("/fhir/" + not_routed.split("/_history")[0]))
    check(refused_read.status_code == 404, f"a resource of an episode never routed is 404: {refused_read.status_code}")
    write = session.post(gateway.url("/fhir/Patient"), json={"resourceType": "Patient"},
                         headers={"Content-Type": "application/fhir+json"})
    check(write.status_code == 403, f"a partner may not write, whatever it asks for: {write.status_code}")
    audit_refused = session.get(gateway.url("/fhir/AuditEvent"))
    check(audit_refused.status_code == 403, f"the audit trail is for operators: {audit_refused.status_code}")

    # A narrower token: read Patient only, so no episode documents.
    narrow = session.fetch_token(token_url, grant_type="client_credentials", scope="system/Patient.r", verify=ca)
    check(narrow.get("scope") == "system/Patient.r", f"a narrower scope is granted as asked: {narrow.get('scope')}")
    narrowed = requests.get(gateway.url("/episodes"), verify=ca,
                            headers={"Authorization": f"Bearer {narrow['access_token']}"})
    check(narrowed.status_code == 403 and "insufficient_scope" in narrowed.headers.get("WWW-Authenticate", ""),
          f"a token without the scope is refused: {narrowed.status_code} {narrowed.headers.get('WWW-Authenticate')}")

    # ES384 works as well.
    es = token_request(gateway, assertion(ec_partner_key, "eyecare-app", token_url, alg="ES384"))
    check(es.status_code == 200, f"an ES384 assertion is accepted: {es.status_code} {es.text}")

    # Assertions that must be refused.
    refusals = {
        "expired": (assertion(partner_key, "eyecare-app", token_url, lifetime=-60), "system/*.rs", 401),
        "wrong audience": (assertion(partner_key, "eyecare-app", "https://elsewhere.example/token"),
                           "system/*.rs", 401),
        "too long-lived": (assertion(partner_key, "eyecare-app", token_url, lifetime=3600), "system/*.rs", 401),
        "unknown key": (assertion(stranger_key, "eyecare-app", token_url), "system/*.rs", 401),
        "unregistered kid": (assertion(partner_key, "eyecare-app", token_url, kid="nobody"), "system/*.rs", 401),
        "unknown client": (assertion(partner_key, "nobody-app", token_url), "system/*.rs", 401),
        "sub is not the client": (assertion(partner_key, "eyecare-app", token_url, sub="other"), "system/*.rs", 401),
        "wrong scope": (assertion(partner_key, "eyecare-app", token_url), "system/*.c", 400),
        "no jti": (assertion(partner_key, "eyecare-app", token_url, jti=""), "system/*.rs", 401),
        "RS256": (assertion(partner_key, "eyecare-app", token_url, alg="RS256"), "system/*.rs", 401),
        "not a JWT": ("not-a-jwt", "system/*.rs", 401),
    }
    for name, (signed, scope, status) in refusals.items():
        answer = token_request(gateway, signed, scope)
        body = answer.json() if answer.headers.get("Content-Type", "").startswith("application/json") else {}
        check(answer.status_code == status and "error" in body, f"{name}: {answer.status_code} {answer.text}")
    replayed = assertion(partner_key, "eyecare-app", token_url)
    first, second = token_request(gateway, replayed), token_request(gateway, replayed)
    check(first.status_code == 200 and second.status_code == 401 and second.json().get("error") == "invalid_client",
          f"a replayed jti is refused: {first.status_code} {second.status_code} {second.text}")
    forged = requests.get(gateway.url("/episodes"), verify=ca,
                          headers={"Authorization": "Bearer " + token["access_token"][:-4] + "AAAA"})
    check(forged.status_code == 401, f"a tampered access token is refused: {forged.status_code}")

    # Every access of the partner is in the audit trail, with who, what, patient and outcome.
    trail = requests.get(gateway.url("/fhir/AuditEvent?_count=1000"), headers=operator, verify=ca).json()
    events = [entry["resource"] for entry in trail.get("entry", [])]
    # Its own requests, not the deliveries to it (those name it as an agent that did not ask: type 110106).
    mine = [e for e in events if e.get("agent", [{}])[0].get("who", {}).get("display") == "eyecare"
            and e["agent"][0].get("requestor")]
    subtypes = {(e.get("subtype", [{}])[0].get("code"), e.get("outcome")) for e in mine}
    for wanted in [("search-type", "0"), ("read", "0"), ("read", "4"), ("create", "4"), ("search-type", "4")]:
        check(wanted in subtypes, f"the partner's {wanted} is audited: {sorted(map(str, subtypes))}")
    patient_entities = [x for e in mine for x in e.get("entity", []) if x.get("role", {}).get("code") == "1"]
    check(patient_entities, "the partner's reads name the patient")
    check(all(e.get("agent", [{}])[0].get("network", {}).get("address") == "127.0.0.1" for e in mine),
          "the partner's accesses carry its address")
    tokens = [e for e in events if (e.get("outcomeDesc") or "").startswith("token")]
    check(any(e.get("outcome") == "0" for e in tokens) and any(e.get("outcome") == "4" for e in tokens),
          f"token issues and refusals are audited: {len(tokens)}")
    for event in events:
        text = json.dumps(event)
        check("Whitcombe" not in text and "Eleanor" not in text, "no AuditEvent carries patient content")

    # mTLS: the mapped certificate authenticates its sender; an unmapped one does not; a foreign CA cannot connect.
    patient = {"resourceType": "Patient", "identifier": [{"system": "urn:test", "value": "mtls-1"}]}
    certificate = (os.path.join(directory, "hospital-engine.pem"), os.path.join(directory, "hospital-engine.key"))
    by_certificate = requests.post(gateway.url("/fhir/Patient"), json=patient, verify=ca, cert=certificate,
                                   headers={"Content-Type": "application/fhir+json"})
    check(by_certificate.status_code == 201, f"a sender's client certificate authenticates it: "
                                             f"{by_certificate.status_code} {by_certificate.text[:200]}")
    stranger = (os.path.join(directory, "stranger.pem"), os.path.join(directory, "stranger.key"))
    unmapped = requests.get(gateway.url("/episodes"), verify=ca, cert=stranger)
    check(unmapped.status_code == 401, f"an unmapped certificate is refused: {unmapped.status_code}")
    try:
        requests.get(gateway.url("/health/live"), verify=ca,
                     cert=(os.path.join(directory, "rogue.pem"), os.path.join(directory, "rogue.key")))
        check(False, "a certificate from another CA cannot connect")
    except requests.exceptions.SSLError:
        check(True, "")
    except requests.exceptions.ConnectionError:
        check(True, "")
    try:
        plain = requests.get(f"http://127.0.0.1:{gateway.port}/health/live", timeout=3)
        check(plain.status_code >= 400, "plain HTTP to the TLS port is not served")
    except requests.RequestException:
        check(True, "")

    slow_clients_are_cut_off(gateway)
    floods_are_limited_and_summarised(gateway, flood_token, operator)
    reload_keeps_connections(gateway, config, directory, operator)
    fuzz_token_endpoint(gateway, partner_key, token_url)


def tls_socket(gateway):
    context = ssl.create_default_context(cafile=gateway.ca)
    raw = socket.create_connection(("127.0.0.1", gateway.port), timeout=10)
    return context.wrap_socket(raw, server_hostname="127.0.0.1")


def slow_clients_are_cut_off(gateway):
    """Slowloris: clients trickling a request head; the deadline (2 s here) closes them while others are served."""
    slow = []
    for _ in range(30):
        connection = tls_socket(gateway)
        connection.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        slow.append(connection)
    stop = time.time() + 4
    closed = set()
    served = 0
    while time.time() < stop:
        for index, connection in enumerate(slow):
            if index in closed:
                continue
            try:
                connection.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed.add(index)
        if requests.get(gateway.url("/health/live"), verify=gateway.ca, timeout=2).status_code == 200:
            served += 1
        time.sleep(0.5)
    for index, connection in enumerate(slow):
        if index not in closed:
            connection.settimeout(1)
            try:
                if connection.recv(1) == b"":
                    closed.add(index)
            except OSError:
                closed.add(index)
        connection.close()
    check(len(closed) == len(slow), f"every slow client is cut off at the deadline: {len(closed)} of {len(slow)}")
    check(served >= 6, f"other clients are served meanwhile: {served}")


def floods_are_limited_and_summarised(gateway, flood_token, operator):
    headers = {"Authorization": f"Bearer {flood_token}"}
    statuses, retry_after = [], None
    with requests.Session() as session:
        session.verify = gateway.ca
        for _ in range(200):
            answer = session.get(gateway.url("/episodes"), headers=headers)
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                retry_after = answer.headers.get("Retry-After")
    refused = statuses.count(429)
    check(refused > 0 and retry_after and int(retry_after) >= 1,
          f"a flood is answered 429 with Retry-After: {refused} refused, Retry-After {retry_after}")
    time.sleep(2.5)
    trail = requests.get(gateway.url("/fhir/AuditEvent?_count=1000"), headers=operator, verify=gateway.ca).json()
    summaries = [e["resource"] for e in trail.get("entry", [])
                 if (e["resource"].get("outcomeDesc") or "").startswith("rate-limited")
                 and e["resource"].get("agent", [{}])[0].get("who", {}).get("display") == "flood"]
    counted = sum(int(s["outcomeDesc"].split("×")[1].split()[0]) for s in summaries if "×" in s["outcomeDesc"])
    check(summaries and counted == refused and len(summaries) <= 5,
          f"the refusals are audited as counted summaries: {len(summaries)} summaries counting {counted} of {refused}")


def read_response(connection):
    """One HTTP/1.1 response with a Content-Length body, read whole."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = connection.recv(4096)
        if not chunk:
            break
        body += chunk
    return head


def reload_keeps_connections(gateway, config, directory, operator):
    connection = tls_socket(gateway)
    request = b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    connection.sendall(request)
    first = read_response(connection)
    new_token = "operator-token-2"
    config = json.loads(json.dumps(config))
    config["operators"].append({"name": "ops-2", "tokenHash": token_hash(new_token)})
    config["tls"]["certificate"], config["tls"]["key"] = "server2.pem", "server2.key"
    gateway.write(config)
    before = requests.get(gateway.url("/episodes"), headers={"Authorization": f"Bearer {new_token}"},
                          verify=gateway.ca)
    gateway.process.send_signal(signal.SIGHUP)
    # Within the request deadline (2 s), which also closes keep-alive connections left idle.
    time.sleep(0.5)
    connection.sendall(request)
    second = read_response(connection)
    connection.close()
    deadline, after = time.time() + 5, None
    while time.time() < deadline:
        after = requests.get(gateway.url("/episodes"), headers={"Authorization": f"Bearer {new_token}"},
                             verify=gateway.ca)
        if after.status_code == 200:
            break
        time.sleep(0.1)
    check(before.status_code == 401 and after is not None and after.status_code == 200,
          f"SIGHUP adds a credential: {before.status_code} then {after and after.status_code}")
    check(first.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200"),
          f"a connection opened before the reload is still served after it: {first[:20]} {second[:20]}")
    # One SIGHUP handler: the credentials are reloaded first, then the mappings (unchanged here).
    deadline, log = time.time() + 5, ""
    while time.time() < deadline and "mappings unchanged" not in log:
        time.sleep(0.1)
        log = open(gateway.log.name).read()
    credentials, mappings = log.find("credentials reloaded"), log.find("mappings unchanged")
    check(0 <= credentials < mappings, "one SIGHUP reloads the credentials, then the mappings")
    fresh = tls_socket(gateway)
    serial = fresh.getpeercert().get("serialNumber")
    fresh.close()
    expected = subprocess.run(["openssl", "x509", "-in", os.path.join(directory, "server2.pem"), "-noout", "-serial"],
                              capture_output=True, text=True, check=True).stdout.strip().split("=")[1]
    check(serial == expected, f"new connections get the reloaded certificate: {serial} vs {expected}")


def fuzz_token_endpoint(gateway, key, token_url):
    random.seed(24)
    valid = assertion(key, "eyecare-app", token_url)
    fields = ["grant_type", "scope", "client_assertion_type", "client_assertion", "client_id", "x"]
    values = ["client_credentials", "system/*.rs", ASSERTION_TYPE, valid, "", "%", "%zz", "=", "&", "+",
              "\u00e9", "a" * 5000, valid[:-10], valid.replace(".", "", 1), "eyJ.eyJ.e", ".." * 100]
    server_errors = 0
    with requests.Session() as session:
        session.verify = gateway.ca
        # Paced under the rate limit (the endpoint is limited by address), so most bodies reach the parser.
        for _ in range(150):
            time.sleep(0.02)
            choice = random.random()
            if choice < 0.4:
                body = "&".join(f"{random.choice(fields)}={random.choice(values)}" for _ in range(random.randint(0, 6)))
            elif choice < 0.7:
                body = "".join(random.choice(string.printable) for _ in range(random.randint(0, 400)))
            else:
                body = bytes(random.getrandbits(8) for _ in range(random.randint(0, 400)))
            content_type = random.choice(["application/x-www-form-urlencoded", "application/json", "text/plain"])
            answer = session.post(gateway.url("/auth/token"), data=body, headers={"Content-Type": content_type})
            if answer.status_code >= 500:
                server_errors += 1
    check(server_errors == 0, f"the token endpoint never fails with a 5xx under fuzzing: {server_errors}")
    check(requests.get(gateway.url("/health/ready"), verify=gateway.ca).status_code == 200,
          "the gateway still serves after fuzzing")


if __name__ == "__main__":
    main()
