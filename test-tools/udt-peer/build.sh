#!/usr/bin/env bash
# Builds udt_peer, the reference-library (libudt) interop peer, with g++ against Debian's libudt-dev.
#
#   test-tools/udt-peer/build.sh [OUTPUT_DIR]     (default: test-tools/udt-peer/target)
#
# Prints the path of the binary on stdout. Rebuilds only when the source is newer than the binary.
# Exit codes: 0 built (or up to date), 1 compile failed, 2 a build dependency is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/target}"
source="$here/udt_peer.cpp"
binary="$out/udt_peer"

missing=()
command -v g++ >/dev/null 2>&1 || missing+=(g++)
# Debian's libudt-dev puts the headers under /usr/include/udt and the library in /usr/lib.
include_dir="${UDT_INCLUDE_DIR:-/usr/include/udt}"
[ -f "$include_dir/udt.h" ] || missing+=(libudt-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "build.sh: missing ${missing[*]}: install with  apt-get install -y libudt-dev g++" \
         "(headers expected in $include_dir; set UDT_INCLUDE_DIR / UDT_LIB_DIR for another location)" >&2
    exit 2
fi

mkdir -p "$out"
if [ -x "$binary" ] && [ "$binary" -nt "$source" ] && [ "$binary" -nt "${BASH_SOURCE[0]}" ]; then
    echo "$binary"
    exit 0
fi

lib_args=()
[ -n "${UDT_LIB_DIR:-}" ] && lib_args+=(-L"$UDT_LIB_DIR" -Wl,-rpath,"$UDT_LIB_DIR")
# Build into a temporary name so a concurrent reader never sees a half-written binary.
if ! g++ -std=c++17 -O2 -Wall -Wextra -Wno-unused-parameter -I"$include_dir" \
        -o "$binary.tmp.$$" "$source" "${lib_args[@]}" -ludt -lpthread; then
    rm -f "$binary.tmp.$$"
    echo "build.sh: g++ failed to build $source" >&2
    exit 1
fi
mv -f "$binary.tmp.$$" "$binary"
echo "$binary"
