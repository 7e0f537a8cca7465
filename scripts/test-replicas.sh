#!/usr/bin/env bash
# The multi-replica test (issue 6): three `tandem serve` replicas on one PostgreSQL database and one sink
# partner; steady load (EPISODES cataract sample series, five messages each, sent to random replicas); the
# replica elected to forward killed with SIGKILL part-way. Passes when every accepted message's deliveries
# reached the sink, every outbox row is delivered, every episode has the events a single gateway makes of
# the series, and the sink saw each episode's events in order (duplicates, from the killed replica's leased
# rows coming back, are allowed: delivery is at least once; numbers are the subscription's, so other
# episodes' events may come between).
#
#   scripts/test-replicas.sh [EPISODES]   (default 12; uses .build/debug/tandem, builds it when missing;
#                                          TANDEM_TEST_POSTGRES_URL or a throwaway cluster)
set -euo pipefail
cd "$(dirname "$0")/.."
episodes="${1:-12}"
[ -x .build/debug/tandem ] || swift build --product tandem >&2
tandem="$PWD/.build/debug/tandem"
source scripts/test-postgres.sh
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    tandem_postgres_stop
    rm -rf "$work"
}
trap cleanup EXIT
[ -n "${TANDEM_TEST_POSTGRES_URL:-}" ] || start_tandem_postgres
psql_bin="$(ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)"
database="tandem_replicas_$$"
"$psql_bin" "$TANDEM_TEST_POSTGRES_URL" -qc "CREATE DATABASE $database"
store="${TANDEM_TEST_POSTGRES_URL%/*}/$database"
sql() { "$psql_bin" "$store" -Atc "$1"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
sink_port="$(free_port)"
# The demo token drive.py posts with (printf demo-token-lakeside-eye-surgery | sha256sum).
cat >"$work/tandem.json" <<JSON
{ "senders": [ { "name": "lakeside-eye-surgery", "allowedTypes": ["*"],
                 "tokenHash": "4135672d9569b1d98c136bde0051bf77799ada112e2dc67901eddad9074b7474" } ],
  "partners": [ { "id": "eyecare", "endpoint": "http://127.0.0.1:$sink_port/notify",
                  "serviceLines": ["ophthalmology.cataract"], "hmacSecret": "replica-test", "timeout": "5s",
                  "retry": { "baseBackoff": "1s", "maximumBackoff": "5s", "maximumAge": "1h" } } ] }
JSON
printf '2026-01-01T00:00:00Z' >"$work/clock"
"$tandem" sink --port "$sink_port" --secret replica-test >"$work/sink.log" 2>&1 &
pids+=($!)
ports=()
replicas=()
start_replica() { # N: starts replica N, and waits until it is ready
    local n="$1" port
    port="$(free_port)"
    # The series are dated 2026: a clock pinned before them fires no timer, so each episode keeps its 14 events.
    TANDEM_STORE_URL="$store" TANDEM_LISTEN="127.0.0.1:$port" TANDEM_MAPPINGS="$PWD/Mappings" TANDEM_LOG_LEVEL=warning \
        TANDEM_DELIVERY_LEASE_SECONDS=5 TANDEM_CLOCK_FILE="$work/clock" \
        "$tandem" serve --config "$work/tandem.json" --allow-test-clock >"$work/replica$n.log" 2>&1 &
    pids+=($!)
    replicas[n - 1]=$!
    ports[n - 1]="$port"
    for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$port/health/ready" && break; sleep 0.1; done
}
forwarding() { # N: replica N's tandem_delivery_forwarding
    curl -s "http://127.0.0.1:${ports[$1 - 1]}/metrics" | awk '$1 == "tandem_delivery_forwarding" { print $2 + 0 }'
}
# Replica 2, the one killed, starts first and is elected to forward: the kill then also tests the takeover.
start_replica 2
for _ in $(seq 1 100); do [ "$(forwarding 2)" = 1 ] && break; sleep 0.1; done
[ "$(forwarding 2)" = 1 ] || { echo "replicas: FAIL: replica 2 was not elected to forward" >&2; exit 1; }
start_replica 1
start_replica 3

# The driver says "kill" a third of the way through; the second replica then dies mid-flight.
accepted=""
while read -r line; do
    case "$line" in
    kill) kill -KILL "${replicas[1]}"; echo "replicas: killed replica 2 (pid ${replicas[1]}, the elected forwarder) under load" >&2 ;;
    accepted*) accepted="${line#accepted }" ;;
    esac
done < <(python3 scripts/replicas/drive.py "$episodes" $((episodes * 5 / 3)) "${ports[@]}")
[ "$accepted" = $((episodes * 5)) ] || { echo "replicas: only $accepted messages accepted" >&2; exit 1; }

# Wait for the outbox to drain (another replica is elected within a second; the killed one's leases end
# after 5 s).
for _ in $(seq 1 300); do
    [ "$(sql "SELECT count(*) FROM outbox WHERE state <> 'delivered'")" = 0 ] && break
    sleep 0.2
done
rows="$(sql "SELECT count(*) FROM outbox")"
undelivered="$(sql "SELECT count(*) FROM outbox WHERE state <> 'delivered'")"
received="$(grep -o 'delivery=[^ ]*' "$work/sink.log" | sort -u | wc -l)"
duplicates="$(grep -c ' duplicate' "$work/sink.log" || true)"
# Events are numbered per subscription: other episodes' events may overtake (ahead, filled), and a number a
# killed replica's transaction drew is never used; an episode's own events must never (late).
bad="$(grep -E ' late' "$work/sink.log" || true)"
per_episode="$(sql "SELECT count(*) FROM outbox GROUP BY episode_id" | sort -u | tr '\n' ' ')"
echo "replicas: $accepted messages accepted over 3 replicas (one killed); $rows outbox rows, $received delivered" \
    "to the sink ($duplicates duplicate arrivals), $undelivered undelivered; events per episode: $per_episode" >&2
fail=0
[ "$undelivered" = 0 ] || { echo "replicas: FAIL: $undelivered outbox rows never delivered" >&2; fail=1; }
[ "$received" = "$rows" ] || { echo "replicas: FAIL: the sink received $received of $rows deliveries" >&2; fail=1; }
[ "$(sql "SELECT count(DISTINCT episode_id) FROM outbox")" = "$episodes" ] ||
    { echo "replicas: FAIL: expected $episodes episodes with deliveries" >&2; fail=1; }
# The sample series makes 14 events per episode on a single SQLite gateway; replicas must make the same.
[ "$per_episode" = "14 " ] || { echo "replicas: FAIL: episodes differ from the single-node run (14 events)" >&2; fail=1; }
[ -z "$bad" ] || { echo "replicas: FAIL: out of order at the sink:" >&2; echo "$bad" >&2; fail=1; }
[ "$fail" = 0 ] && echo "replicas: PASS: every accepted message delivered, order per episode kept" >&2
exit "$fail"
