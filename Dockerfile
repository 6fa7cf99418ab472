# Reference app image: build with dev dependencies, run with production ones only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The library is an npm workspace: npm ci links it into node_modules from its package.json.
COPY libs/tiered-cache/package.json libs/tiered-cache/
COPY scripts/lock-optional-placeholders.mjs scripts/
# Optional platform binaries the lock may lack (see the script): npm ci rejects the lock otherwise.
RUN node scripts/lock-optional-placeholders.mjs && npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY libs/tiered-cache/tsconfig.build.json libs/tiered-cache/README.md libs/tiered-cache/
COPY libs/tiered-cache/src libs/tiered-cache/src
COPY src src
COPY migrations migrations
COPY scripts scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# node_modules/@tiered-cache/nestjs links here: the package's manifest and build.
COPY --from=build /app/libs/tiered-cache/package.json libs/tiered-cache/
COPY --from=build /app/libs/tiered-cache/dist libs/tiered-cache/dist
# Without DATABASE_URL the app keeps an embedded database in .data/; the node user must own it.
RUN mkdir -p .data && chown node:node .data
USER node
EXPOSE 3000
# Liveness without curl in the slim image: Node's fetch against the app's own probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
