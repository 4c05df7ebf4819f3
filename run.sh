#!/usr/bin/env bash
# Starts the whole of AspireJobs on this machine through its Aspire AppHost: PostgreSQL, Redis,
# the migrations, the Api, the workers, the health monitor and the Aspire dashboard.
# Arguments go to the AppHost:
#   ./run.sh [--workers N] [--api-port P] [--data-dir DIR] [--no-dashboard] [--infrastructure auto|local|containers]
set -euo pipefail
cd "$(dirname "$0")"
eng/prerequisites.sh --run
exec dotnet run --project AppHost -c Release -- "$@"
