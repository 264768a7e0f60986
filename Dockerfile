# One image recipe for every service: WORKSPACE picks which one runs (gateway or subgraphs/<name>).
FROM node:24-bookworm-slim AS build
WORKDIR /app
# .dockerignore leaves tests out of the context: test-only workspaces arrive as a bare package.json.
COPY . .
# `npm prune --omit=dev` keeps every workspace's link, test-only ones too: drop those by hand, then
# refuse to build an image with test code in it (the patterns of scripts/check-packages.ts).
RUN npm ci --no-audit --no-fund && npx tsc -b tsconfig.build.json && npm run build:storefront && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf e2e test-support node_modules/@commerce-supergraph/e2e node_modules/@commerce-supergraph/test-support \
  && if find . -path ./node_modules -prune -o \( -name test -o -name testing -o -name test-support \
       -o -name '*.test.*' -o -name 'memory-bus*' \) -print | grep .; then echo 'test code in the image' >&2; exit 1; fi

FROM node:24-bookworm-slim
ARG WORKSPACE
ENV NODE_ENV=production WORKSPACE=${WORKSPACE}
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
CMD ["sh", "-c", "exec node --enable-source-maps \"$WORKSPACE/dist/index.js\""]
