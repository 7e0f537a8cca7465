#!/usr/bin/env python3
"""Steady load for scripts/test-replicas.sh: each episode is the cataract sample series (five messages, its
business identifiers and ids suffixed per episode), sent in order, each message to a random live replica; a message
whose replica is gone (connection refused or reset) is sent again to another, as a sender would. After
KILL_AFTER accepted messages the driver writes a line to stdout so the caller kills a replica.

usage: drive.py EPISODES KILL_AFTER PORT [PORT ...]   (prints "accepted N" at the end)
"""
import json, random, re, sys, threading, time, urllib.request, urllib.error, pathlib

root = pathlib.Path(__file__).resolve().parents[2]
samples = root / "Samples" / "ophthalmology.cataract"
files = ["01-referral.json", "02-acceptance.json", "03-care-plan.json", "04-handoff.json", "05-report.json"]
texts = [(samples / name).read_text() for name in files]
# Business identifiers (LES-…, CH-…) and client-chosen ids (les-…), so no two episodes share a resource.
identifier = re.compile(r"\b((?:LES|CH|les)-[A-Za-z0-9-]*[0-9])")

episodes, kill_after, ports = int(sys.argv[1]), int(sys.argv[2]), [int(p) for p in sys.argv[3:]]
dead = set()
lock = threading.Lock()
accepted = 0
signalled = False


def post(text):
    resource = json.loads(text)
    path = "/fhir" if resource["resourceType"] == "Bundle" else "/fhir/" + resource["resourceType"]
    for attempt in range(50):
        with lock:
            live = [p for p in ports if p not in dead]
        port = random.choice(live)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", data=text.encode(), method="POST",
            headers={"Authorization": "Bearer demo-token-lakeside-eye-surgery",
                     "Content-Type": "application/fhir+json", "Prefer": "return=minimal"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                if response.status in (200, 201):
                    return
                raise SystemExit(f"replica {port} answered {response.status}")
        except urllib.error.HTTPError as error:
            raise SystemExit(f"replica {port} answered {error.code}: {error.read()[:300]!r}")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            with lock:
                dead.add(port)
            time.sleep(0.05)
    raise SystemExit("no replica accepted the message")


def run(episode):
    global accepted, signalled
    for text in texts:
        post(identifier.sub(lambda m: f"{m.group(1)}-e{episode}", text))
        with lock:
            accepted += 1
            if accepted == kill_after and not signalled:
                signalled = True
                print("kill", flush=True)
        time.sleep(random.uniform(0, 0.05))


threads = [threading.Thread(target=run, args=(n,)) for n in range(episodes)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(f"accepted {accepted}", flush=True)
