# syntax=docker/dockerfile:1
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The generated secrets' directory (a volume in docker-compose.yml), writable by the app.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:3000/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The same image runs workers alone with: docker run … node dist/src/worker.js
# The preload loads OpenTelemetry before the libraries it instruments; a no-op unless
# OTEL_EXPORTER_OTLP_ENDPOINT is set.
CMD ["node", "--import", "./dist/libs/platform/observability/otel-register.js", "dist/src/main.js"]
