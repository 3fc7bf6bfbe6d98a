# One image holds the three runnable jars; each compose service picks one.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /app
# the runnable (-all) jars, renamed without their version
COPY --from=build /src/coordinator/target/switchboard-coordinator-*-all.jar ./switchboard-coordinator.jar
COPY --from=build /src/ws-backend/target/switchboard-ws-backend-*-all.jar ./switchboard-ws-backend.jar
COPY --from=build /src/web-demo/target/switchboard-web-demo-*-all.jar ./switchboard-web-demo.jar
ENTRYPOINT ["java", "-Djava.net.preferIPv4Stack=true", "-jar"]
CMD ["switchboard-coordinator.jar", "--help"]
