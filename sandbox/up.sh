#!/usr/bin/env bash
# The traceharness sandbox, end to end: brings docker-compose.yml up (Elasticsearch, APM Server,
# the collector, Kibana; LocalStack when LOCALSTACK_AUTH_TOKEN is set), deploys the post's two
# functions into LocalStack with the OpenTelemetry Node.js layer bundled in their zip, runs the
# post's client (Elastic APM Node.js agent) against the producer and prints the Kibana URL of the
# trace. Needs Docker with compose, JDK 17+, Node.js 20+ with npm.
#
#   LOCALSTACK_AUTH_TOKEN=… sandbox/up.sh
#   sandbox/down.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export APM_SERVER_TOKEN="${APM_SERVER_TOKEN:-traceharness}"
KIBANA=http://localhost:5601

profiles=(--profile ui)
if [[ -n "${LOCALSTACK_AUTH_TOKEN:-}" ]]; then
  profiles+=(--profile localstack)
fi
echo "starting the sandbox (docker compose ${profiles[*]} up -d --wait)…"
docker compose "${profiles[@]}" up -d --wait

if [[ -z "${LOCALSTACK_AUTH_TOKEN:-}" ]]; then
  cat <<MSG
The Elastic stack and the collector are up: Kibana $KIBANA/app/apm, OTLP localhost:4317/4318,
APM Server localhost:8200 (token $APM_SERVER_TOKEN).
No LOCALSTACK_AUTH_TOKEN: LocalStack (the sandbox's Lambda) was not started, so no functions were
deployed. Set the token and run this script again, or run the container suites, which use the free
Lambda base images instead: ./mvnw -B verify -Dtraceharness.stack=containers
MSG
  exit 0
fi

echo "building the function zips…"
./mvnw -B -q -pl functions package -DskipTests
zip=$(ls functions/target/*-nodejs.zip | head -n 1)

echo "deploying producer and consumer into LocalStack (the OpenTelemetry layer is built at first use)…"
./mvnw -B -q -pl containers -am install -DskipTests
deploy_out=$(./mvnw -B -q -pl containers exec:java \
  -Dexec.mainClass=io.traceharness.containers.SandboxDeployer \
  -Dexec.args="$zip")
echo "$deploy_out"
producer_url=$(sed -n 's/^PRODUCER_URL=//p' <<<"$deploy_out" | tail -n 1)

echo "running the post's client against $producer_url…"
(cd fixtures/client && npm ci --silent)
client_out=$(ELASTIC_APM_SERVER_URL=http://localhost:8200 ELASTIC_APM_SECRET_TOKEN="$APM_SERVER_TOKEN" \
  node fixtures/client/client.js "$producer_url")
echo "$client_out"
trace_id=$(sed -n 's/^trace\.id=//p' <<<"$client_out" | tail -n 1)

echo
echo "The trace in Kibana (give APM Server a few seconds): $KIBANA/app/apm/link-to/trace/$trace_id"
