# Blixard node image.
#   docker build -t blixard:local \
#     --build-arg VERSION="$(./mvnw -q help:evaluate -Dexpression=project.version -DforceStdout)" \
#     --build-arg REVISION="$(git rev-parse HEAD)" --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
#     --build-arg SOURCE="$(git remote get-url origin)" .
#   docker run --rm -p 7001:7001 -p 7002:7002/udp -p 8080:8080 -v blixard-data:/var/lib/blixard blixard:local
# The jar carries the QUIC and epoll native libraries for linux-x86_64 and linux-aarch_64, so the
# same Dockerfile builds linux/amd64 and linux/arm64 images (docker buildx build --platform ...).

# The jar is the same for every platform: build it once, on the machine's own.
FROM --platform=$BUILDPLATFORM eclipse-temurin:17-jdk AS build
WORKDIR /src
# The wrapper and the POM first, so the dependency layer is cached across source changes.
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY application.yml ./
COPY src src
RUN ./mvnw -B -q -DskipTests package
# The jar's layers (BOOT-INF/layers.idx), one directory each: dependencies change least, the
# application most. application/blixard.jar finds its libraries in lib/ through its manifest.
RUN java -Djarmode=tools -jar target/blixard.jar extract --layers --destination /layers

FROM eclipse-temurin:17-jre
# OCI labels (docker inspect, registries): empty unless the build passes them.
ARG VERSION
ARG REVISION
ARG CREATED
ARG SOURCE
LABEL org.opencontainers.image.title="blixard-node" \
      org.opencontainers.image.description="A Blixard cluster node: Raft (Apache Ratis), services over gRPC and Blixard RPC on QUIC" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}"
RUN groupadd --system --gid 10001 blixard \
 && useradd --system --uid 10001 --gid blixard --home-dir /var/lib/blixard --no-create-home blixard \
 && mkdir -p /var/lib/blixard /etc/blixard \
 && chown blixard:blixard /var/lib/blixard
COPY --chmod=0755 docker/entrypoint.sh docker/healthcheck.sh /opt/blixard/
# One layer per jar layer, least changing first: a new build of the node ships only the last one.
COPY --from=build /layers/dependencies/ /opt/blixard/
COPY --from=build /layers/spring-boot-loader/ /opt/blixard/
COPY --from=build /layers/snapshot-dependencies/ /opt/blixard/
COPY --from=build /layers/application/ /opt/blixard/

# The cluster profile reads BLIXARD_DATA_DIR and BLIXARD_ADVERTISE_HOST (default: the hostname).
# An application.yml or application-<profile>.yml mounted in /etc/blixard/ overrides the built-in one.
ENV BLIXARD_DATA_DIR=/var/lib/blixard \
    SPRING_PROFILES_ACTIVE=cluster \
    SPRING_CONFIG_ADDITIONAL_LOCATION=optional:file:/etc/blixard/ \
    JAVA_OPTS="-XX:MaxRAMPercentage=75"
VOLUME ["/var/lib/blixard"]
WORKDIR /var/lib/blixard
USER 10001:10001

# Raft, gRPC, QUIC (UDP), HTTP (Actuator)
EXPOSE 7000/tcp 7001/tcp 7002/udp 8080/tcp

HEALTHCHECK --interval=15s --timeout=6s --start-period=60s --retries=3 \
  CMD ["/opt/blixard/healthcheck.sh", "/actuator/health/liveness"]

ENTRYPOINT ["/opt/blixard/entrypoint.sh"]
