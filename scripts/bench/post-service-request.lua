-- wrk script for scripts/bench-ingest.sh: POSTs a new ServiceRequest per request to /fhir/ServiceRequest,
-- alternating JSON and XML. Each request carries a new business identifier and a new patient, so every
-- request is a real create (a new resource version, a new co-management episode), never an "unchanged".
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  counter = 0
  token = os.getenv("TANDEM_BENCH_TOKEN") or "tandem-demo-token"
  run = os.getenv("TANDEM_BENCH_RUN") or "0"
end

local json = [[{"resourceType":"ServiceRequest","identifier":[{"system":"urn:oid:2.16.840.1.113883.3.999","value":"%s"}],"status":"active","intent":"order","code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"66984"}]},"subject":{"type":"Patient","identifier":{"system":"http://hospital.example.org/fhir/sid/mrn","value":"%s"}},"authoredOn":"2026-03-02T09:00:00Z"}]]
local xml = [[<ServiceRequest xmlns="http://hl7.org/fhir"><identifier><system value="urn:oid:2.16.840.1.113883.3.999"/><value value="%s"/></identifier><status value="active"/><intent value="order"/><code><coding><system value="http://www.ama-assn.org/go/cpt"/><code value="66984"/></coding></code><subject><type value="Patient"/><identifier><system value="http://hospital.example.org/fhir/sid/mrn"/><value value="%s"/></identifier></subject><authoredOn value="2026-03-02T09:00:00Z"/></ServiceRequest>]]

function request()
  counter = counter + 1
  local value = string.format("BENCH-%s-%d-%d", run, tid, counter)
  local headers = { ["Authorization"] = "Bearer " .. token }
  local body
  if counter % 2 == 0 then
    headers["Content-Type"] = "application/fhir+json"
    headers["Accept"] = "application/fhir+json"
    body = string.format(json, value, value)
  else
    headers["Content-Type"] = "application/fhir+xml"
    headers["Accept"] = "application/fhir+xml"
    body = string.format(xml, value, value)
  end
  headers["Prefer"] = "return=minimal"
  return wrk.format("POST", "/fhir/ServiceRequest", headers, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f socket_errors=%d non_2xx=%d\n",
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors, summary.errors.status))
end
