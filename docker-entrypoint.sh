#!/bin/sh
# Starts the role named by the first argument: silo (default) or gateway. Further arguments go to the program.
set -e
role="${1:-silo}"
[ $# -gt 0 ] && shift
case "$role" in
  silo)    exec dotnet /app/silo/OrderGrains.Silo.dll "$@" ;;
  gateway) exec dotnet /app/gateway/OrderGrains.Gateway.dll "$@" ;;
  *)       echo "usage: (silo|gateway) [args]" >&2; exit 64 ;;
esac
