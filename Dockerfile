# syntax=docker/dockerfile:1
#
# Daftar container image: one static binary on distroless, running as non-root.
#   docker build --build-arg VERSION=$(git describe --tags --always) -t daftar .
#   docker run -p 8080:8080 -v daftar-data:/data daftar
#   docker run -p 8080:8080 -v daftar-data:/data -e DAFTAR_DEMO=true -e DAFTAR_ADMIN_PASSWORD=... daftar
# With no DATABASE_URL the embedded SQLite database lives in /data (a volume). compose.yaml runs it with
# PostgreSQL 15.

# The Go release go.mod asks for (its go line; a test in the repository checks that they agree). The image's
# toolchain is used as it is (GOTOOLCHAIN=local): a build never downloads another one, and a tag older than
# go.mod fails at once, saying which version it needs, instead of building with something else.
ARG GO_VERSION=1.26.8

# ---------------------------------------------------------------- build
FROM golang:${GO_VERSION}-bookworm AS build
ENV GOTOOLCHAIN=local
WORKDIR /src

# Dependencies first, so that this layer is cached until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .
ARG VERSION=dev
# Pure Go (the SQLite driver needs no cgo), so the binary runs on distroless/static.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/daftar ./cmd/daftar

# The data directory, owned by distroless' nonroot user (65532), which has no shell to create it.
RUN mkdir -p /out/data && chown 65532:65532 /out/data

# ---------------------------------------------------------------- runtime
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="daftar" \
      org.opencontainers.image.description="Licensing, ranking and crowding of judicial e-services offices" \
      org.opencontainers.image.version="${VERSION}"

COPY --from=build /out/daftar /daftar
COPY --from=build --chown=65532:65532 /out/data /data

ENV DAFTAR_DATA_DIR=/data \
    LISTEN_ADDR=:8080
VOLUME /data
EXPOSE 8080

# Numeric, so that Kubernetes' runAsNonRoot can verify it (it is distroless' "nonroot:nonroot").
USER 65532:65532

# distroless has no curl: the binary checks itself (GET http://127.0.0.1:<port of LISTEN_ADDR>/healthz).
# /healthz answers as soon as the server listens, which is before a first start with DAFTAR_DEMO seeds the demo
# data (about half a minute; /readyz says 503 and the progress meanwhile), so the start period need only cover
# opening the database and applying the migrations: 60s leaves room for a slow disk or a PostgreSQL still starting.
# Whoever routes traffic should ask /readyz, which answers 200 once the data is ready.
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 CMD ["/daftar", "healthcheck"]

ENTRYPOINT ["/daftar"]
CMD ["serve"]
