# Build a static cchub binary, then ship it on a distroless base.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/cchub ./cmd/cchub

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cchub /cchub
ENV DATA_DIR=/data PORT=23000
VOLUME /data
EXPOSE 23000
ENTRYPOINT ["/cchub"]
CMD ["serve"]
