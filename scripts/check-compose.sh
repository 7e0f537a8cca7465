#!/usr/bin/env bash
# Validates the docker-compose deployment without a Docker engine (none runs in CI):
#   1. Debian's docker-compose (1.29.2) accepts docker-compose.yml, with the required variables taken from
#      .env.example only, so the example names every one of them;
#   2. every file and folder docker-compose.yml and the Dockerfile name exists: build contexts,
#      Dockerfiles, bind-mounted paths, COPY sources (and .dockerignore does not leave them out), and the
#      configuration file TANDEM_CONFIG names is mounted;
#   3. the proxy's nginx.conf sends to services that exist, on the port their TANDEM_LISTEN names;
#   4. no demo credential reaches a deployment: the Dockerfile copies nothing of Samples/, .dockerignore
#      leaves Samples/config out of the build context, and no token hash of Samples/config/tandem.json
#      (nor its "demo" mark) appears in the Dockerfile, docker-compose.yml, .env.example or deploy/.
# Usage: scripts/check-compose.sh [DIR]   (DIR defaults to the repository; any copy of it works).
set -euo pipefail
root="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
scripts="$(cd "$(dirname "$0")" && pwd)"
command -v docker-compose >/dev/null || "$scripts/setup.sh"

fail() {
    echo "check-compose: $*" >&2
    exit 1
}
for file in docker-compose.yml .env.example; do
    [ -f "$root/$file" ] || fail "$root/$file is missing"
done

# The variables docker-compose.yml requires (${NAME:?message}) must come from .env.example, not from this
# shell or a developer's .env.
required=$(grep -o '\${[A-Za-z_][A-Za-z0-9_]*:?' "$root/docker-compose.yml" | sed 's/^\${//; s/:?$//' | sort -u)
unset_args=()
for name in $required; do
    grep -q "^$name=" "$root/.env.example" || fail ".env.example does not set $name, which docker-compose.yml requires"
    unset_args+=(-u "$name")
done
compose=(env "${unset_args[@]}" docker-compose --project-directory "$root" --env-file "$root/.env.example"
    -f "$root/docker-compose.yml")
"${compose[@]}" config -q || fail "docker-compose rejects docker-compose.yml (see above)"
resolved=$(mktemp)
trap 'rm -f "$resolved"' EXIT
"${compose[@]}" config >"$resolved" || fail "docker-compose cannot print the resolved docker-compose.yml"

# docker-compose's own Python has PyYAML; the resolved file has absolute host paths.
python=$(sed -n '1s/^#! *//p' "$(command -v docker-compose)")
[ -x "${python%% *}" ] || python=python3
$python - "$root" "$resolved" <<'PYTHON' || fail "fix the problems above"
import json, os, re, sys, yaml

root = sys.argv[1]
with open(sys.argv[2]) as resolved:
    config = yaml.safe_load(resolved)
problems = []

def ignored(path, patterns):
    """Whether .dockerignore leaves `path` (relative to the context) out: a pattern equal to the path or
    to one of its parent folders."""
    parts = os.path.normpath(path).split(os.sep)
    return any("/".join(parts[:i]) in patterns for i in range(1, len(parts) + 1))

def copy_sources(line):
    """The sources of a Dockerfile COPY/ADD instruction (shell or JSON form), without --flags."""
    arguments = line.split(None, 1)[1].strip()
    words = json.loads(arguments) if arguments.startswith("[") else arguments.split()
    words = [word for word in words if not word.startswith("--")]
    return words[:-1]

def check_dockerfile(service, context, dockerfile):
    path = os.path.join(context, dockerfile)
    if not os.path.isfile(path):
        problems.append(f"{service}: build.dockerfile {dockerfile} is not a file in {context}")
        return
    patterns = set()
    ignore = os.path.join(context, ".dockerignore")
    if os.path.isfile(ignore):
        with open(ignore) as lines:
            patterns = {line.strip().strip("/") for line in lines if line.strip() and not line.startswith("#")}
    with open(path) as lines:
        text = lines.read().replace("\\\n", " ")
    for number, line in enumerate(text.splitlines(), 1):
        instruction = line.split(None, 1)[0].upper() if line.strip() else ""
        if instruction not in ("COPY", "ADD") or "--from=" in line:
            continue
        for source in copy_sources(line):
            if not os.path.exists(os.path.join(context, source)):
                problems.append(f"{dockerfile}: COPY source {source} does not exist in {context}")
            elif ignored(source, patterns):
                problems.append(f"{dockerfile}: COPY source {source} is left out by .dockerignore")

for name, service in sorted(config.get("services", {}).items()):
    build = service.get("build")
    if build is not None:
        context = build if isinstance(build, str) else build.get("context", ".")
        if not os.path.isdir(context):
            problems.append(f"{name}: build.context {context} is not a folder")
        else:
            check_dockerfile(name, context, build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")
    targets = set()
    for volume in service.get("volumes", []):
        source, target = (volume.split(":")[:2] if isinstance(volume, str)
                          else (volume.get("source", ""), volume.get("target", "")))
        targets.add(target)
        if source.startswith("/") and not os.path.exists(source):
            problems.append(f"{name}: mounted path {os.path.relpath(source, root)} does not exist")
    for env_file in service.get("env_file", []):
        if not os.path.isfile(env_file):
            problems.append(f"{name}: env_file {env_file} does not exist")
    configuration = (service.get("environment") or {}).get("TANDEM_CONFIG")
    if configuration and configuration not in targets:
        problems.append(f"{name}: TANDEM_CONFIG {configuration} is not a mounted file")

# 3. The proxy forwards to gateways that are there.
services = config.get("services", {})
for name, service in sorted(services.items()):
    for volume in service.get("volumes", []):
        source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
        if not source.endswith("nginx.conf") or not os.path.isfile(source):
            continue
        with open(source) as conf:
            upstreams = re.findall(r"^\s*server\s+([A-Za-z0-9_.-]+):(\d+)", conf.read(), re.M)
        if not upstreams:
            problems.append(f"{name}: {os.path.relpath(source, root)} names no upstream server")
        for host, port in upstreams:
            listen = (services.get(host, {}).get("environment") or {}).get("TANDEM_LISTEN", "")
            if host not in services:
                problems.append(f"{name}: upstream {host} is not a service of docker-compose.yml")
            elif listen.rsplit(":", 1)[-1] != port:
                problems.append(f"{name}: upstream {host}:{port}, but {host} listens on {listen or 'its default'}")

# 4. Demo credentials stay in Samples/config.
with open(os.path.join(root, "Samples/config/tandem.json")) as sample:
    demo = json.load(sample)
demo_hashes = {account["tokenHash"] for key in ("senders", "operators") for account in demo.get(key, [])}
with open(os.path.join(root, "Dockerfile")) as dockerfile:
    for number, line in enumerate(dockerfile.read().replace("\\\n", " ").splitlines(), 1):
        words = line.split()
        if words and words[0].upper() in ("COPY", "ADD") and "--from=" not in line:
            if any(os.path.normpath(source).split(os.sep)[0] in ("Samples", ".") for source in copy_sources(line)):
                problems.append(f"Dockerfile:{number}: copies Samples/ (or the whole context) into the image")
with open(os.path.join(root, ".dockerignore")) as ignore:
    if "Samples/config" not in {line.strip().strip("/") for line in ignore}:
        problems.append(".dockerignore does not leave Samples/config out of the build context")
deployed = ["Dockerfile", "docker-compose.yml", ".env.example"] + [
    os.path.join("deploy", name) for name in sorted(os.listdir(os.path.join(root, "deploy")))
]
for name in deployed:
    with open(os.path.join(root, name)) as deployed_file:
        text = deployed_file.read()
    for token_hash in sorted(demo_hashes):
        if token_hash in text:
            problems.append(f"{name}: holds the demo token hash {token_hash[:12]}… of Samples/config/tandem.json")
    if name.endswith(".json") and json.loads(text).get("demo"):
        problems.append(f"{name}: is marked as a demo configuration")

for problem in dict.fromkeys(problems):  # once each, in order: services share a Dockerfile
    print(f"check-compose: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
PYTHON
echo "check-compose: docker-compose.yml, Dockerfile and the files they name are in order; no demo credential is deployed"
