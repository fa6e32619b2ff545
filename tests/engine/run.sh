#!/usr/bin/env bash
# npm run test:engine: the real-engine tier. Builds what it needs when missing (cached, hash-stamped,
# outside the clone): the control plane (test/controlplane/build.sh) and the engine
# (test/engine/build.sh: Pulumi CLI, Kubernetes provider, hadb's stand-in Node.js host and random
# provider) and the upstream-generated CRDs (test/crds/build.sh), runs the stand-ins' own Go tests, then the node:test suites in tests/engine/ through
# tests/e2e/run.sh (which stops every control plane it started, by PID, even if the tests die).
# HADB_ENGINE_STACKS=dev,existing-zonal limits the single-stack suite to those stacks.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage="usage: npm run test:engine   (no arguments: builds the engine, control plane and CRDs when missing, then runs tests/engine/; HADB_ENGINE_STACKS=a,b narrows the stacks)"
case "${1:-}" in
  -h | --help | help)
    echo "$usage"
    exit 0
    ;;
  "") ;;
  *)
    echo "unknown argument $1" >&2
    echo "$usage" >&2
    exit 2
    ;;
esac

bash test/engine/build.sh
# The CRDs the stand-in charts install, generated from upstream's API Go modules (test/crds).
bash test/crds/build.sh
(cd test/engine/pulumi && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly nice -n 10 go test ./nodejs-host ./random-provider)
exec bash tests/e2e/run.sh tests/engine/*.test.ts
