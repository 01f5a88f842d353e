# One image for every Wenming service; WENMING_SERVICES picks what a container runs.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY libs ./libs
COPY services ./services
# better-sqlite3 12 built against Node >= 24.19's headers aborts at exit when a
# statement is garbage-collected (nodejs/node#65446); built against 24.18.1's it
# runs cleanly on every 24.x: compile native addons against those (see .ci/run).
RUN pkg="node-$(node -p 'process.platform + "-" + process.arch')" \
 && npm install --prefix /tmp/node-headers --no-save --no-package-lock --no-audit --no-fund "$pkg@24.18.1" \
 && npm ci --omit=dev --no-audit --no-fund --nodedir="/tmp/node-headers/node_modules/$pkg" \
 && rm -rf /tmp/node-headers

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production WENMING_DATA_DIR=/data BIND_HOST=0.0.0.0
COPY --from=build /app /app
COPY proto ./proto
# Created for the unprivileged user before it becomes a volume: a new volume takes
# the directory's owner from the image, else it is root's and `node` cannot write it.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080 50051
USER node
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Telemetry is registered before anything loads, so http, grpc, kafkajs, pg and mongodb
# are instrumented; nothing is exported unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
# The CLI in the same image: node --import tsx services/launcher/src/cli/main.ts <command>
CMD ["node", "--import", "tsx", "--import", "@wenming/service-kit/telemetry/register", "services/launcher/src/main.ts"]
