#!/usr/bin/env bash
# Starts the whole of AspireJobs on this machine: PostgreSQL, Redis, the migrations, the Api,
# the workers and the health monitor. Arguments go to the AppHost:
#   ./run.sh [--workers N] [--api-port P] [--data-dir DIR]
set -euo pipefail
cd "$(dirname "$0")"
eng/prerequisites.sh
exec dotnet run --project AppHost -c Release -- "$@"
