# Image of the certificate profile service: one image, two processes (docker-compose.yml runs it as
# `npm run api` and as `npm run worker`). TypeScript runs through tsx (a runtime dependency), so there
# is no compile step; the workflow code is bundled here (webpack, `npm run bundle`), so a worker starts
# without bundling it (src/temporal/workflow-bundle.ts keeps the bundle under node_modules/.cache).
FROM node:20-bookworm-slim

# NPM_CONFIG_LOGLEVEL=silent: `npm run` prints no banner, so a process's output is its JSON log lines only.
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_LOGLEVEL=silent

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. The lockfile is authoritative.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# Sources (.dockerignore keeps tests, local data, tool caches and git out). Owned by root and only
# readable by the service user; the one writable place is DATA_DIR, which the split api/worker
# processes do not use (they need DATABASE_URL and TEMPORAL_ADDRESS).
COPY . .
RUN npm run bundle && mkdir -p /app/data && chown node:node /app/data

USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
