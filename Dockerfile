# syntax=docker/dockerfile:1
#
# Daftar container image: one static binary on distroless, running as non-root.
#   docker build --build-arg VERSION=$(git describe --tags --always) -t daftar .
#   docker run -p 8080:8080 -v daftar-data:/data daftar
# With no DATABASE_URL the embedded SQLite database lives in /data (a volume).

# ---------------------------------------------------------------- build
FROM golang:1.26-bookworm AS build
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
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s CMD ["/daftar", "healthcheck"]

ENTRYPOINT ["/daftar"]
CMD ["serve"]
