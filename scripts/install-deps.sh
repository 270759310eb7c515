#!/usr/bin/env bash
# Installs the Debian 12 packages a group of targets needs, and only those that are missing.
#   scripts/install-deps.sh build   # compile and run (make run)
#   scripts/install-deps.sh test    # + what the test suite needs (make test)
#   scripts/install-deps.sh bench   # + what the benchmarks need (make bench)
set -euo pipefail

build=(build-essential cmake ninja-build pkg-config ca-certificates
       libboost1.81-dev libboost-json1.81-dev libssl-dev libsqlite3-dev sqlite3 libpq-dev
       libsimdjson-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev prometheus-cpp-dev libmimalloc-dev
       libjs-chart.js)  # Chart.js, embedded in the console
test=(googletest libgtest-dev clang libclang-rt-14-dev openssl curl postgresql-15
      chromium)  # the console's browser test
bench=(nginx-light wrk linux-perf strace valgrind sqlite3 curl python3 postgresql-15)

wanted=()
for group in "${@:-build}"; do
  case "$group" in
    build) wanted+=("${build[@]}") ;;
    test) wanted+=("${build[@]}" "${test[@]}") ;;
    bench) wanted+=("${build[@]}" "${bench[@]}") ;;
    *) echo "install-deps: unknown group '$group' (build, test, bench)" >&2; exit 2 ;;
  esac
done
# Node.js runs the SDK end-to-end tests; machines that already have it keep theirs.
if [[ " $* " == *" test "* ]] && ! command -v npm >/dev/null 2>&1; then
  wanted+=(nodejs npm)
fi

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
