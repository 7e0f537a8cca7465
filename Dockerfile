# The tandem image: `tandem serve` by default; docker-compose.yml also runs `tandem sink` from it.
# Build stage: the Swift toolchain on Debian 12 with the C libraries the package's shims link.
FROM swift:6.3-bookworm AS build
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends libxml2-dev libcurl4-openssl-dev libsqlite3-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Dependencies first, so a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
# The manifest names the test targets too, so their folders must exist for it to load.
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime is linked statically; libxml2, libcurl and SQLite stay the system's shared libraries.
RUN swift build -c release --product tandem --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/tandem" /staging/tandem

# Runtime stage: Debian 12 slim with the shared libraries tandem links and curl for health checks.
FROM debian:bookworm-slim
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends libxml2 libcurl4 libsqlite3-0 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --uid 10001 --home-dir /app --shell /usr/sbin/nologin tandem
WORKDIR /app
COPY --from=build /staging/tandem /usr/local/bin/tandem
# The shipped mappings; docker-compose.yml mounts Mappings/ read-only over them. No configuration, and so
# no credentials, is in the image: a deployment mounts its own (TANDEM_CONFIG), and without one the gateway
# refuses to start. Samples/config (the README's demo tokens) never enters it (scripts/check-compose.sh).
COPY Mappings ./Mappings
# ./data holds the SQLite store when TANDEM_STORE_URL does not name PostgreSQL.
RUN mkdir data && chown tandem:tandem data
USER tandem:tandem
# The image sets no TANDEM_LISTEN: the gateway listens on 127.0.0.1:8080 unless the deployment says
# otherwise. Listening on every interface is the deployment's explicit choice (docker-compose.yml makes it
# on its private network, with host ports bound to 127.0.0.1), best with "tls" in its configuration; the
# gateway warns at start when it listens beyond loopback without TLS.
EXPOSE 8080 9090
ENTRYPOINT ["tandem"]
CMD ["serve"]
