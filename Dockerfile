# One image recipe for every service: WORKSPACE picks which one runs (gateway or subgraphs/<name>).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npx tsc -b tsconfig.build.json && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ARG WORKSPACE
ENV NODE_ENV=production WORKSPACE=${WORKSPACE}
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
CMD ["sh", "-c", "exec node --enable-source-maps \"$WORKSPACE/dist/index.js\""]
