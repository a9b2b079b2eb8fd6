#!/usr/bin/env bash
# Copies the third-party headers that bench/gpu needs into .devdeps/include/ (run here, on Debian 12, from the
# repository root), so that the GPU machine, which has none of them, can build the check from a carried folder:
#   fmt (used header-only: FMT_HEADER_ONLY), nlohmann-json, toml++ (TOML_HEADER_ONLY=1), and OpenSSL's headers
#   (the check links the GPU machine's own libcrypto).
# Boost, Eigen, HDF5, FFTW are not needed: the sources bench/gpu compiles do not include them.
# Also adds /.devdeps/ to the repository's info/exclude (shared by every worktree), so git ignores the folder.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
dest=.devdeps/include
multiarch=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for d in /usr/include/fmt /usr/include/nlohmann /usr/include/toml++ /usr/include/openssl "/usr/include/$multiarch/openssl"; do
  [ -d "$d" ] || { echo "collect-deps: $d is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
rm -rf .devdeps
mkdir -p "$dest"
cp -a /usr/include/fmt /usr/include/nlohmann /usr/include/toml++ /usr/include/openssl "$dest/"
# Debian keeps the two configuration headers of OpenSSL (opensslconf.h, configuration.h) in the multiarch folder.
cp -a "/usr/include/$multiarch/openssl/." "$dest/openssl/"
{
  # shellcheck disable=SC1091
  echo "# headers copied by bench/gpu/collect-deps.sh on $(date -u +%Y-%m-%dT%H:%MZ) from $(. /etc/os-release && echo "$PRETTY_NAME")"
  dpkg-query -W -f '${Package} ${Version}\n' libfmt-dev nlohmann-json3-dev libtomlplusplus-dev libssl-dev 2>/dev/null || true
} > .devdeps/VERSIONS
exclude="$(git rev-parse --git-common-dir)/info/exclude"
mkdir -p "$(dirname "$exclude")"
touch "$exclude"
grep -qxF '/.devdeps/' "$exclude" || echo '/.devdeps/' >> "$exclude"
echo "collect-deps: $(du -sh .devdeps | cut -f1) in $root/.devdeps ($(find .devdeps -type f | wc -l) files); excluded in $exclude"
