# One image holds the three runnable jars; each compose service or Kubernetes container picks one.
# Build it once:  docker build -t switchboard:dev .   (docker compose builds it through the coordinator service)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The one place that names the jars the build makes: the image knows them by the stable names below.
# (the runnable jars are the shaded ones, attached with classifier 'all')
ARG COORDINATOR_JAR=coordinator/target/switchboard-coordinator-*-all.jar
ARG BACKEND_JAR=ws-backend/target/switchboard-ws-backend-*-all.jar
ARG WEB_DEMO_JAR=web-demo/target/switchboard-web-demo-*-all.jar
RUN mvn -B -q -DskipTests -pl coordinator,ws-backend,web-demo -am package \
 && mkdir /jars \
 && cp $COORDINATOR_JAR /jars/coordinator.jar \
 && cp $BACKEND_JAR /jars/backend.jar \
 && cp $WEB_DEMO_JAR /jars/web-demo.jar

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /jars/ /app/
COPY deploy/docker/healthcheck /usr/local/bin/healthcheck
RUN chmod 0755 /usr/local/bin/healthcheck \
 && useradd --system --uid 10001 --home-dir /app switchboard
USER 10001
# The heap follows the container's memory limit; JAVA_TOOL_OPTIONS adds to or overrides these flags.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-Djava.net.preferIPv4Stack=true", "-jar"]
CMD ["coordinator.jar", "--help"]
