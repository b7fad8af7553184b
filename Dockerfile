# One image recipe, two targets: `api` and `worker` (docker compose picks the target).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev
COPY scripts/services ./scripts/services

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /var/lib/dpa && chown node:node /var/lib/dpa
USER node

FROM runtime AS api
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/api/src/main.js"]

# The worker bundles workflow code at start-up (webpack inside @temporalio/worker).
FROM runtime AS worker
# The same bounded old space as WORKER_NODE_ARGS (libs/infra/src/dev/processes.ts).
CMD ["node", "--max-old-space-size=640", "dist/apps/worker/src/main.js"]

# The development OpenID provider (docker compose's `oidc`): one user per role; the engine refuses it in production.
FROM runtime AS oidc
COPY --from=build /app/scripts/services ./scripts/services
ENV NODE_ENV=development
CMD ["node", "scripts/services/oidc-provider.mjs", "--port", "9400", "--host", "0.0.0.0", "--issuer", "http://localhost:9400", "--redirect-uri", "http://localhost:3000/ui/callback"]
