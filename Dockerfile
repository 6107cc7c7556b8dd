# An always-on Shared Notes peer, built from this checkout:
#   docker build -t shared-notes .
#   docker run -d --name shared-notes -p 4001:4001 -p 127.0.0.1:9464:9464 -v shared-notes:/data \
#     shared-notes --join 'sn1-…' --announce /dns4/notes.example.org/tcp/4001/ws
# (arguments after the image name are added to the defaults below). See docs/OPERATOR.md.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
# Install scripts are skipped: the bundle needs none (keytar and cbor-extract belong to the VSIX
# tooling and would need a compiler); esbuild finds its binary in its optional dependency.
RUN npm ci --ignore-scripts
COPY tsconfig.json README.md LICENSE .npmignore ./
COPY scripts ./scripts
COPY src ./src
COPY deploy ./deploy
COPY docs ./docs
RUN node scripts/build.mjs --minify && npm pack --ignore-scripts

FROM node:20-bookworm-slim
COPY --from=build /src/shared-notes-*.tgz /tmp/
RUN npm install -g --no-audit --no-fund /tmp/shared-notes-*.tgz && rm /tmp/shared-notes-*.tgz \
  && mkdir /data && chown node:node /data && chmod 0700 /data
USER node
VOLUME /data
EXPOSE 4001 9464
STOPSIGNAL SIGTERM
ENTRYPOINT ["shared-notes", "serve", "--data", "/data", "--listen", "/ip4/0.0.0.0/tcp/4001/ws", "--metrics", "0.0.0.0:9464", "--no-mdns"]
