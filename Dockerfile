# Multi-stage build: compile the three binaries, ship them on a slim base.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p api_server -p batch_server -p cloud_sim

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 cloudplane
COPY --from=build /src/target/release/api_server /src/target/release/batch_server /src/target/release/cloud_sim /usr/local/bin/
USER cloudplane
EXPOSE 8080 8081 8900
CMD ["api_server"]
