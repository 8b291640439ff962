# syntax=docker/dockerfile:1
# Triage's Slack app as a container image.
#   docker build -t triage:0.1.0 .
#   docker run --rm -p 3000:3000 --env-file triage.env triage:0.1.0
# The CLI is in the image too: docker run --rm triage:0.1.0 node bin/triage.js demo

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript and better-sqlite3's native module, then drop the dev dependencies ----
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary is found; the compilers stay in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build also checks the built-in playbooks and signals once (dist/yaml-cache.json) and bundles the CLI.
COPY scripts ./scripts
COPY playbooks ./playbooks
COPY signals ./signals
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund
# Keep only better-sqlite3's compiled addon: its C sources and object files (30 MB) are never read at run time.
RUN cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node /tmp/ \
 && rm -rf build deps src \
 && mkdir -p build/Release \
 && mv /tmp/better_sqlite3.node build/Release/

# ---- runtime: Node, the compiled app, production dependencies and the bundled data; no compilers ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    TRIAGE_DB_PATH=/var/lib/triage/triage.sqlite
WORKDIR /app
# The SQLite run store (used only when DATABASE_URL is unset) lives in a volume owned by the runtime user.
RUN mkdir -p /var/lib/triage && chown 1000:1000 /var/lib/triage
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY playbooks ./playbooks
COPY signals ./signals
COPY schemas ./schemas
# Recorded incidents for `triage demo`, which needs no Slack and no Prometheus.
COPY fixtures/recordings ./fixtures/recordings
VOLUME ["/var/lib/triage"]
# The image's `node` user, by number so Kubernetes' runAsNonRoot can check it.
USER 1000:1000
EXPOSE 3000
# Node's own fetch: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: Node is PID 1 and gets SIGTERM itself, then drains for TRIAGE_SHUTDOWN_GRACE_MS.
STOPSIGNAL SIGTERM
CMD ["node", "bin/triage-app.js"]
