# syntax=docker/dockerfile:1
# gatewarden: multi-stage build. The build stage compiles TypeScript and the
# native modules (better-sqlite3, serialport bindings); the runtime stage holds
# production dependencies only and runs as an unprivileged user.

FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production GATEWARDEN_LOG_FORMAT=json
WORKDIR /app
# fonts-noto-cjk: a browser or screenshot tool run in this container renders the
# page's Chinese text (README, "CJK font").
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
# The gateway user is in "dialout" so it can open serial devices passed in with
# --device, e.g.:
#   docker run --device /dev/ttyUSB0:/dev/ttyUSB0 --group-add dialout …
# Name the same path in the device's `port:` in the config. For USB adapters
# that re-enumerate, pass a stable /dev/serial/by-id/… path instead.
RUN groupadd --system gatewarden && useradd --system --gid gatewarden --groups dialout --home /app gatewarden
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY devices ./devices
# SQLite database and generated secrets live in the volume.
RUN mkdir -p /app/data && chown gatewarden:gatewarden /app/data
VOLUME ["/app/data"]
USER gatewarden
# 1883: embedded MQTT broker; 8080: plain HTTP API and page; 8443: the page
# over HTTPS. The demo config listens on 127.0.0.1 only. Do not publish plain
# HTTP on the LAN (API tokens would cross it in clear): mount an estate config
# with http.tls.enabled and http.tls.host 0.0.0.0, keep http.host 127.0.0.1
# (docs/operations.md, "Exposing the page on the LAN"); a self-signed
# certificate is made in /app/data on first run and its fingerprint logged:
#   docker run -v $PWD/estate.yaml:/app/config/estate.yaml:ro -p 8443:8443 … gatewarden start config/estate.yaml
EXPOSE 1883 8080 8443
# The flags and malloc arenas of src/cli.ts's first line, which a shebang would give the installed command.
ENV MALLOC_ARENA_MAX=1
ENTRYPOINT ["node", "--optimize-for-size", "dist/cli.js"]
CMD ["start", "config/demo.yaml"]
