#!/usr/bin/env python3
"""The FHIR API as a client no one here wrote meets it: Python `fhirclient` 4.x (run by scripts/test.sh).

Starts `tandem serve` on 127.0.0.1 with a public base URL that names the gateway differently
(`http://localhost:PORT/fhir`, as a proxy in front of it would), a hospital sender, an operator, a partner
that has no endpoint of its own, and a partner whose endpoint refuses connections. Then:

- fhirclient reads the CapabilityStatement (its strict models parse it) and finds the topics;
- the hospital creates and reads a Patient, ServiceRequests and a CarePlan with fhirclient's models;
- fhirclient pages a search to its end through the `next` links, which carry the public base; an unknown
  parameter is left out of the self link, and refused under `Prefer: handling=strict`; chained,
  `_include`, `_sort` and `_lastUpdated` searches, and `POST _search`;
- the partner subscribes over REST to a receiver here, gets its handshake and heartbeats, hears the
  cataract scenario (`tandem replay`) signed and carrying the ingest request's trace, refuses one
  notification, and fills that gap with `$events`; then finds what it heard of, and nothing else;
- the metrics of the partner that cannot be reached move: retries, then a dead letter.

Prints 'N passed, N failed' and exits 1 on any failure.
"""
import hashlib
import hmac
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import requests
from fhirclient import client
from fhirclient.models.bundle import Bundle
from fhirclient.models.careplan import CarePlan
from fhirclient.models.fhirsearch import FHIRSearch
from fhirclient.models.patient import Patient
from fhirclient.models.servicerequest import ServiceRequest
from fhirclient.models.subscription import Subscription

import livecheck
from livecheck import check, free_port, token_hash

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TANDEM = os.environ.get("TANDEM_BINARY", os.path.join(ROOT, ".build", "debug", "tandem"))
SCENARIO = os.path.join(ROOT, "Samples", "ophthalmology.cataract")
BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
SECRET = "receiver-secret"
TRACE = "0af7651916cd43dd8448eb211c80319c"
MRN = "http://hospital.example.org/fhir/sid/mrn"

def wait_for(condition, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


class Receiver:
    """A partner's rest-hook endpoint: records every notification and refuses the `refuse`-th event
    notification with 400."""

    def __init__(self, refuse):
        self.notifications = []
        self.lock = threading.Lock()
        self.refuse = refuse
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                notification = Notification(dict(self.headers.items()), body)
                with receiver.lock:
                    if notification.kind == "event-notification":
                        seen = sum(1 for n in receiver.notifications if n.kind == "event-notification")
                        notification.refused = seen + 1 == receiver.refuse
                    receiver.notifications.append(notification)
                status = 400 if notification.refused else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *arguments):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self, kind):
        with self.lock:
            return [n for n in self.notifications if n.kind == kind]

    def stop(self):
        self.server.shutdown()


class Notification:
    """One notification Bundle as the Backport IG shapes it: a SubscriptionStatus first."""

    def __init__(self, headers, body):
        self.headers = {key.lower(): value for key, value in headers.items()}
        self.body = body
        self.refused = False
        self.bundle = json.loads(body)
        entries = self.bundle.get("entry", [])
        self.status = entries[0]["resource"] if entries else {}
        self.entries = entries[1:]
        self.kind = parameter(self.status, "type")
        self.events = [int(part_value(event, "event-number"))
                       for event in parameters(self.status, "notification-event")]

    def signed(self):
        timestamp = self.headers.get("x-tandem-timestamp", "")
        expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("x-tandem-signature", ""), "sha256=" + expected)


def parameters(resource, name):
    return [p for p in resource.get("parameter", []) if p.get("name") == name]


def parameter(resource, name):
    for found in parameters(resource, name):
        for key, value in found.items():
            if key.startswith("value"):
                return value
    return None


def part_value(found, name):
    for part in found.get("part", []):
        if part.get("name") == name:
            return next(value for key, value in part.items() if key.startswith("value"))
    return None


def metric(text, name, labels):
    """The value of the first sample of `name` whose labels include every one of `labels`."""
    for line in text.splitlines():
        if line.startswith(name + "{") and all(label in line for label in labels):
            return float(line.rsplit(" ", 1)[1])
    return None


class Gateway:
    def __init__(self, directory, config, port, public_base):
        self.base = f"http://127.0.0.1:{port}"
        with open(os.path.join(directory, "tandem.json"), "w") as file:
            json.dump(config, file)
        environment = dict(os.environ, TANDEM_LISTEN=f"127.0.0.1:{port}", TANDEM_BASE_URL=public_base,
                           TANDEM_MAPPINGS=os.path.join(ROOT, "Mappings"))
        for name in ("TANDEM_CONFIG", "TANDEM_STORE_URL"):
            environment.pop(name, None)
        self.log = open(os.path.join(directory, "server.log"), "w")
        self.process = subprocess.Popen([TANDEM, "serve", "--config", "tandem.json"], cwd=directory,
                                        env=environment, stdout=self.log, stderr=self.log)

        def ready():
            if self.process.poll() is not None:
                raise SystemExit("tandem serve exited:\n" + open(self.log.name).read())
            try:
                return requests.get(self.base + "/health/ready", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        if not wait_for(ready):
            raise SystemExit("tandem serve did not become ready:\n" + open(self.log.name).read())

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def fhir_client(base, token):
    """fhirclient with a bearer token on its session, as an integration with a static token sets it up."""
    smart = client.FHIRClient(settings={"app_id": "tandem-fhirclient-test", "api_base": base})
    smart.server.session.headers["Authorization"] = f"Bearer {token}"
    return smart.server


def main():
    directory = tempfile.mkdtemp(prefix="tandem-fhirclient-")
    port = free_port()
    public_base = f"http://localhost:{port}/fhir"
    receiver = Receiver(refuse=2)
    config = {
        "store": "sqlite:./data/tandem.sqlite",
        "senders": [{"name": "lakeside-eye-surgery", "tokenHash": token_hash("hospital-token"),
                     "allowedTypes": ["*"]}],
        "operators": [{"name": "ops", "tokenHash": token_hash("operator-token")}],
        "partners": [
            # No endpoint: it delivers only where its own Subscriptions say.
            {"id": "eyecare", "tokenHash": token_hash("eyecare-token"), "serviceLines": ["ophthalmology.cataract"],
             "hmacSecret": SECRET, "timeout": "5s",
             "retry": {"baseBackoff": "100ms", "maximumBackoff": "500ms", "maximumAge": "5m"}},
            # Nothing listens there: every attempt fails, and after the second the row is dead-lettered.
            {"id": "unreachable", "endpoint": f"http://127.0.0.1:{free_port()}/notify",
             "serviceLines": ["ophthalmology.cataract"], "timeout": "1s",
             "retry": {"baseBackoff": "100ms", "maximumBackoff": "200ms", "maximumAge": "5m",
                       "maximumAttempts": 2}},
        ],
        "delivery": {"pollInterval": "50ms"},
    }
    gateway = Gateway(directory, config, port, public_base)
    try:
        run(gateway, public_base, receiver)
    finally:
        gateway.stop()
        receiver.stop()
    if livecheck.failed:
        print(open(os.path.join(directory, "server.log")).read()[-4000:], file=sys.stderr)
    else:
        shutil.rmtree(directory, ignore_errors=True)
    livecheck.finish()


def run(gateway, public_base, receiver):
    fhir = gateway.base + "/fhir"
    hospital = fhir_client(fhir, "hospital-token")
    partner = fhir_client(fhir, "eyecare-token")
    operator = {"Authorization": "Bearer operator-token"}

    # Discovery: fhirclient's strict models parse the CapabilityStatement.
    capability = hospital.capabilityStatement
    resources = {resource.type: resource for resource in capability.rest[0].resource}
    service_request = resources["ServiceRequest"]
    check({"create", "read", "update", "delete", "search-type"} <= {i.code for i in service_request.interaction},
          "ServiceRequest: create, read, update, delete and search")
    check({"_id", "identifier", "patient", "subject", "status", "intent", "category", "based-on"}
          <= {p.name for p in service_request.searchParam or []}, "ServiceRequest's search parameters")
    check([i.code for i in resources["AuditEvent"].interaction] == ["search-type"], "AuditEvent is search only")
    topics = [e.valueCanonical for e in resources["Subscription"].extension or []
              if e.url.endswith("capabilitystatement-subscriptiontopic-canonical")]
    check(topics and all(t.startswith(public_base + "/SubscriptionTopic/") for t in topics),
          f"the topics hang off the public base: {topics}")

    search_and_paging(hospital, fhir, public_base)
    subscription = subscribe(partner, topics, receiver)
    if subscription:
        scenario(gateway, hospital, partner, receiver, subscription, fhir, public_base)
    metrics_move(gateway, operator)


def search_and_paging(hospital, fhir, public_base):
    # The hospital creates and reads with fhirclient's models.
    created = Patient({"resourceType": "Patient", "identifier": [{"system": MRN, "value": "FC-1"}],
                       "name": [{"family": "Côté", "given": ["Renée"]}]}).create(hospital)
    patient = Patient.read(created["id"], hospital)
    check(patient.identifier[0].value == "FC-1", "the Patient reads back")
    references = []
    for number in range(7):
        # A code no service line is triggered by: stored and searchable, but no episode is opened.
        answer = ServiceRequest({
            "resourceType": "ServiceRequest", "status": "active", "intent": "order",
            "identifier": [{"system": "urn:fc", "value": f"FC-SR-{number}"}],
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "183444007"}]},
            "subject": {"reference": f"Patient/{patient.id}"},
        }).create(hospital)
        references.append(answer["id"])
    check(ServiceRequest.read(references[0], hospital).identifier[0].value == "FC-SR-0", "a ServiceRequest reads back")
    plan = CarePlan({"resourceType": "CarePlan", "status": "active", "intent": "plan",
                     "subject": {"reference": f"Patient/{patient.id}"},
                     "basedOn": [{"reference": f"ServiceRequest/{references[0]}"}]}).create(hospital)
    check(CarePlan.read(plan["id"], hospital).status == "active", "a CarePlan reads back")

    # Paging to the end through next links that carry the public base; the unknown parameter is ignored
    # and left out of the self link.
    search = ServiceRequest.where({"status": "active", "_count": "3", "colour": "blue"})
    pages = list(search.perform_iter(hospital))
    found = [entry.resource.id for page in pages for entry in page.entry or []]
    check(len(pages) == 3 and sorted(found) == sorted(references), f"three pages hold the seven: {len(pages)} {found}")
    check(all(page.total == 7 and page.type == "searchset" for page in pages), "each page's total is 7")
    links = [{link.relation: link.url for link in page.link} for page in pages]
    check(all(link["next"].startswith(public_base + "/ServiceRequest?") for link in links[:-1])
          and "next" not in links[-1], f"next links on all pages but the last: {links}")
    check("colour" not in links[0]["self"] and "status=active" in links[0]["self"],
          f"the self link leaves the unknown parameter out: {links[0]['self']}")
    strict = hospital.session.get(fhir + "/ServiceRequest?status=active&colour=blue",
                                  headers={"Prefer": "handling=strict", "Accept": "application/fhir+json"})
    check(strict.status_code == 400 and "colour" in strict.text, f"strict handling refuses it: {strict.status_code}")

    # Chained and _include searches.
    chained = Bundle.read_from(f"ServiceRequest?patient.identifier={MRN}|FC-1&_count=100", hospital)
    check(chained.total == 7, f"chained by the patient's identifier: {chained.total}")
    included = FHIRSearch(ServiceRequest, {"identifier": "urn:fc|FC-SR-3"}).include("subject")
    bundle = next(included.perform_iter(hospital))
    modes = [(entry.search.mode, entry.resource.resource_type) for entry in bundle.entry]
    check(modes == [("match", "ServiceRequest"), ("include", "Patient")], f"_include of the subject: {modes}")
    check(all(entry.fullUrl.startswith(public_base + "/") for entry in bundle.entry), "fullUrls carry the public base")
    named = Patient.where({"name": "cote"}).perform_resources_iter(hospital)
    check([p.id for p in named] == [patient.id], "a Patient by name, accents folded")
    based_on = Bundle.read_from(f"CarePlan?based-on=ServiceRequest/{references[0]}", hospital)
    check(based_on.total == 1, "a CarePlan by based-on")

    # Newest first, and only those updated after the third.
    newest = Bundle.read_from("ServiceRequest?_sort=-_lastUpdated&_count=100", hospital)
    check([e.resource.id for e in newest.entry] == references[::-1], "_sort=-_lastUpdated")
    third = ServiceRequest.read(references[2], hospital).meta.lastUpdated.isostring
    later = Bundle.read_from("ServiceRequest?_lastUpdated=gt" + urllib.parse.quote(third), hospital)
    check(later.total == 4, f"_lastUpdated=gt the third's: {later.total}")

    # POST _search with a form body, as some clients send it.
    posted = hospital.session.post(fhir + "/ServiceRequest/_search", data={"identifier": "urn:fc|FC-SR-5"},
                                   headers={"Accept": "application/fhir+json"})
    check(posted.status_code == 200 and posted.json().get("total") == 1, f"POST _search: {posted.status_code}")


def subscribe(partner, topics, receiver):
    topic = next((t for t in topics if t.endswith("/SubscriptionTopic/all")), None)
    check(topic is not None, "the all topic is published")
    if topic is None:
        return None
    # Raw JSON: fhirclient's models drop primitive extensions (`_criteria`, `_payload`) when they serialize.
    body = {
        "resourceType": "Subscription", "status": "requested", "reason": "cataract co-management",
        "criteria": topic,
        "_criteria": {"extension": [{"url": BACKPORT + "backport-filter-criteria",
                                     "valueString": "service-line=ophthalmology.cataract"}]},
        "channel": {
            "type": "rest-hook", "endpoint": receiver.url, "payload": "application/fhir+json",
            "_payload": {"extension": [{"url": BACKPORT + "backport-payload-content", "valueCode": "id-only"}]},
            "extension": [{"url": BACKPORT + "backport-heartbeat-period", "valueUnsignedInt": 2}],
        },
    }
    created = partner.post_json("Subscription", body).json()
    subscription = Subscription.read(created["id"], partner)
    check(subscription.channel.endpoint == receiver.url, "the Subscription reads back")

    # The handshake makes it active; heartbeats follow.
    check(wait_for(lambda: receiver.received("handshake")), "a handshake arrives")
    handshake = receiver.received("handshake")[0] if receiver.received("handshake") else None
    check(handshake is not None and handshake.signed(), "the handshake is signed")
    # The receiver records the handshake before it answers, and the answer is what makes it active.
    def active():
        status = Bundle.read_from(f"Subscription/{subscription.id}/$status", partner)
        return parameter(status.entry[0].resource.as_json(), "status") == "active"

    check(wait_for(active, seconds=10), "$status says active")
    check(wait_for(lambda: receiver.received("heartbeat"), seconds=10), "a heartbeat follows")
    return subscription


def scenario(gateway, hospital, partner, receiver, subscription, fhir, public_base):
    # The referral with a trace of its own, then the rest as `tandem replay` posts it.
    with open(os.path.join(SCENARIO, "01-referral.json"), "rb") as file:
        answer = requests.post(fhir, data=file.read(), headers={
            "Authorization": "Bearer hospital-token", "Content-Type": "application/fhir+json",
            "traceparent": f"00-{TRACE}-b7ad6b7169203331-01"})
    check(answer.status_code == 200, f"the referral is accepted: {answer.status_code}")
    steps = sorted(f for f in os.listdir(SCENARIO) if f[:2].isdigit() and f.endswith(".json")
                   and not f.endswith(".episode.json"))[1:]
    replay = subprocess.run([TANDEM, "replay", "--to", fhir, "--token", "hospital-token",
                             *[os.path.join(SCENARIO, step) for step in steps]], capture_output=True, text=True)
    check(replay.returncode == 0, f"tandem replay: {replay.stdout} {replay.stderr}")

    status = Bundle.read_from(f"Subscription/{subscription.id}/$status", partner)
    events = int(parameter(status.entry[0].resource.as_json(), "events-since-subscription-start") or 0)
    check(events > 3, f"the scenario makes events: {events}")
    check(wait_for(lambda: len(receiver.received("event-notification")) >= events),
          f"every event is notified: {len(receiver.received('event-notification'))} of {events}")
    notifications = receiver.received("event-notification")
    numbers = sorted(n for notification in notifications for n in notification.events)
    check(numbers == list(range(1, events + 1)), f"one number per event, per subscription: {numbers}")
    check(all(n.signed() for n in notifications), "every notification is signed")
    first = next((n for n in notifications if n.events == [1]), None)
    check(first is not None and first.headers.get("traceparent", "").startswith(f"00-{TRACE}-"),
          f"the referral's notification continues its trace: {first and first.headers.get('traceparent')}")
    check(all(e["fullUrl"].startswith(public_base + "/") for n in notifications for e in n.entries),
          "id-only entries carry the public base")
    refused = [n.events[0] for n in notifications if n.refused]
    check(len(refused) == 1, f"one notification was refused: {refused}")

    # $events fills the gap: the refused event, with its focus to read back.
    if refused:
        gap = refused[0]
        recovered = Bundle.read_from(
            f"Subscription/{subscription.id}/$events?eventsSinceNumber={gap}&eventsUntilNumber={gap}", partner)
        recovered_status = recovered.entry[0].resource.as_json()
        check(parameter(recovered_status, "type") == "query-event", "$events answers a query-event")
        event = parameters(recovered_status, "notification-event")
        check([int(part_value(e, "event-number")) for e in event] == [gap], f"$events gives event {gap} back")
        focus = [entry.fullUrl for entry in recovered.entry[1:]]
        check(len(focus) == 1, f"with its focus: {focus}")
        if focus:
            path = focus[0][len(public_base) + 1:]
            check(partner.session.get(fhir + "/" + path).status_code == 200, f"the partner reads {path}")

    # What it heard of, it finds; the hospital's other ServiceRequests it may not read.
    mine = Bundle.read_from("ServiceRequest?_include=ServiceRequest:subject", partner)
    check(mine.total == 1 and [e.search.mode for e in mine.entry] == ["match", "include"],
          f"the partner finds the referral and its patient, nothing else: {mine.total}")

    # Off, then deleted, with fhirclient's models.
    subscription.status = "off"
    subscription.update(partner)
    check(Subscription.read(subscription.id, partner).status == "off", "the partner turns it off")
    subscription.delete(partner)
    check(partner.session.get(f"{fhir}/Subscription/{subscription.id}").status_code in (404, 410),
          "and deletes it")


def metrics_move(gateway, operator):
    labels = ['partner="unreachable"', 'subscription="unreachable"']

    def scrape():
        return requests.get(gateway.base + "/metrics", headers=operator).text

    text = ""

    def moved():
        nonlocal text
        text = scrape()
        return (metric(text, "tandem_deliveries_total", labels + ['outcome="retry"']) or 0) >= 1 \
            and (metric(text, "tandem_outbox_dead_letters", labels) or 0) >= 1

    check(wait_for(moved), "the unreachable partner's retries and dead letters are counted")
    check((metric(text, "tandem_deliveries_total", labels + ['outcome="dead_letter"']) or 0) >= 1,
          "dead letters by outcome")
    check(metric(text, "tandem_outbox_depth", labels) is not None, "its outbox depth is reported")
    check(metric(text, "tandem_outbox_oldest_due_seconds", labels) is not None, "and the age of its oldest due row")
    dead = requests.get(gateway.base + "/deliveries?partner=unreachable&state=dead", headers=operator)
    check(dead.status_code == 200 and len(dead.json().get("deliveries", [])) >= 1, "GET /deliveries lists them")


if __name__ == "__main__":
    main()
