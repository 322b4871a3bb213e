#!/usr/bin/env bash
# Stops the sandbox and removes its containers, the function containers LocalStack started on its
# network (they are not compose services), and the network.
set -euo pipefail
cd "$(dirname "$0")/.."
ids=$(docker ps -aq --filter "network=traceharness" 2>/dev/null || true)
if [[ -n "$ids" ]]; then
  # shellcheck disable=SC2086
  docker rm -f $ids > /dev/null
fi
docker compose --profile ui --profile localstack down --remove-orphans
