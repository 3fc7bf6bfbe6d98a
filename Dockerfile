# One image holds the three runnable jars; each compose service picks one.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/coordinator/target/switchboard-coordinator.jar \
                  /src/ws-backend/target/switchboard-ws-backend.jar \
                  /src/web-demo/target/switchboard-web-demo.jar ./
ENTRYPOINT ["java", "-Djava.net.preferIPv4Stack=true", "-jar"]
CMD ["switchboard-coordinator.jar", "--help"]
