# syntax=docker/dockerfile:1
# Build: a static binary from the module.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/indigo ./cmd/indigo

# Run: distroless, non-root. Point DATABASE_URL at a real PostgreSQL; the
# embedded default needs PostgreSQL's binaries, which this image leaves out.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/indigo /usr/local/bin/indigo
USER nonroot:nonroot
ENV HTTP_ADDR=:8080 INDIGO_DATA_DIR=/home/nonroot/.indigo
EXPOSE 8080
# /readyz: the database answers and has every migration. A chat platform
# that cannot be reached leaves it ready (the rest keeps working) and is
# listed in its answer. distroless has no curl: the binary asks itself.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["/usr/local/bin/indigo", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/indigo"]
CMD ["serve"]
