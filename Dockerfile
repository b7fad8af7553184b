# One image recipe; targets `api`, `worker`, `oidc` and `temporal` (docker compose picks the target).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
COPY scripts/build-workflows.ts ./scripts/
# The worker's workflow bundle, made from the sources (the engine's modules joined, so each workflow
# starts cheaper) while tsx is still installed: the worker runs it instead of bundling dist/ at start.
RUN npx tsc -p tsconfig.build.json \
  && node --conditions=dpa-source --import tsx scripts/build-workflows.ts dist/workflow-bundle.js \
  && npm prune --omit=dev
COPY scripts/services ./scripts/services

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The published evidence verifier: the API serves these bytes at /.well-known/dpa-verify.mjs.
COPY bin ./bin
RUN mkdir -p /var/lib/dpa && chown node:node /var/lib/dpa
USER node

FROM runtime AS api
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/api/src/main.js"]

# The worker runs the workflow bundle made in the build stage (what npm run build:workflows makes).
FROM runtime AS worker
ENV WORKER_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
# The same bounded old space as WORKER_NODE_ARGS (libs/infra/src/dev/processes.ts).
CMD ["node", "--max-old-space-size=640", "dist/apps/worker/src/main.js"]

# The development OpenID provider (docker compose's `oidc`): one user per role; the engine refuses it in production.
FROM runtime AS oidc
COPY --from=build /app/scripts/services ./scripts/services
ENV NODE_ENV=development
CMD ["node", "scripts/services/oidc-provider.mjs", "--port", "9400", "--host", "0.0.0.0", "--issuer", "http://localhost:9400", "--redirect-uri", "http://localhost:3000/ui/callback"]

# The Temporal server of the production topology, built from the Go module at the pinned version
# (TEMPORAL_SERVER_VERSION in libs/infra/src/temporal/server-build.ts, as npm run temporal:build does),
# with temporal-sql-tool and the module's PostgreSQL schemas.
FROM golang:1.26-bookworm AS temporal-build
ARG TEMPORAL_SERVER_VERSION=1.32.2
ENV GOTOOLCHAIN=go1.27.3 CGO_ENABLED=0
WORKDIR /src
RUN go mod init dpa-engine-temporal-build \
 && go get go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION} go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION} \
 && go build -o /out/temporal-server go.temporal.io/server/cmd/server \
 && go build -o /out/temporal-sql-tool go.temporal.io/server/cmd/tools/sql \
 && cp -r "$(go list -m -f '{{.Dir}}' go.temporal.io/server)/schema/postgresql" /out/schema

FROM debian:bookworm-slim AS temporal
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /etc/temporal temporal
COPY --from=temporal-build /out/temporal-server /out/temporal-sql-tool /usr/local/bin/
COPY --from=temporal-build /out/schema /etc/temporal/schema/postgresql
COPY deploy/temporal/config /etc/temporal/config
USER temporal
WORKDIR /etc/temporal
ENTRYPOINT ["temporal-server", "--root", "/etc/temporal", "--config", "config", "--allow-no-auth"]
