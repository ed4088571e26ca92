# Blixard node image.
#   docker build -t blixard:local .
#   docker run --rm -p 7001:7001 -p 7002:7002/udp -p 8080:8080 -v blixard-data:/var/lib/blixard blixard:local
# The QUIC transport's native library in the jar is built for linux-x86_64: build and run the image
# for linux/amd64 (docker build --platform linux/amd64 on other machines).

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# The wrapper and the POM first, so the dependency layer is cached across source changes.
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY application.yml ./
COPY src src
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 blixard \
 && useradd --system --uid 10001 --gid blixard --home-dir /var/lib/blixard --no-create-home blixard \
 && mkdir -p /var/lib/blixard /etc/blixard \
 && chown blixard:blixard /var/lib/blixard
COPY --chmod=0755 docker/entrypoint.sh docker/healthcheck.sh /opt/blixard/
COPY --from=build /src/target/blixard.jar /opt/blixard/blixard.jar

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
