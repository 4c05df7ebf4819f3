#!/usr/bin/env bash
# Runs every test: unit tests, integration tests against real PostgreSQL and Redis processes
# the tests start themselves, and end-to-end tests of the whole application.
set -euo pipefail
cd "$(dirname "$0")"
eng/prerequisites.sh
exec dotnet test AspireJobs.sln
