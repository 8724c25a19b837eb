#!/usr/bin/env bash
# Installs everything Vesalius needs on Debian/Ubuntu and builds it. Safe to re-run: each step is
# skipped when already done. Options:
#   --references  also install the live references the tests compare against and bench/ measures
#                 against (Debian's python3-torch, torchvision, nibabel, pydicom, scipy, PIL, sklearn, skimage),
#                 Debian's chromium (the HTML report's and the viewer's browser tests, through
#                 playwright-core), dicom3tools, Orthanc and poppler-utils; implied under CI=true, where a
#                 missing reference fails its test instead of skipping. redis-server (the job queue of
#                 `vesalius serve`) is always installed.
#   --bench       the same as --references
# Environment:
#   LIBTORCH  a libtorch folder (e.g. a PyTorch install's torch/ with lib/ and include/) to build
#             against instead of Debian's CPU-only libtorch-dev; a CUDA build gives `cuda` devices.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*" >&2; }

packages=(g++ make cmake redis-server)
# libgloo-dev: the Gloo headers that c10d's ProcessGroupGloo.hpp includes (Debian ships them apart)
[ -n "${LIBTORCH:-}" ] || packages+=(libtorch-dev libgloo-dev)
references=(python3-torch python3-torchvision python3-nibabel python3-pydicom python3-numpy python3-scipy python3-pil python3-sklearn python3-skimage chromium)
# DICOM SEG/SR validation (dciodvfy), the PACS the DICOMweb tests run against (in a loopback-only network
# namespace: iproute2), and pdftotext to read the findings report back
references+=(dicom3tools orthanc orthanc-dicomweb iproute2 poppler-utils)
case "${1:-}" in --references | --bench) packages+=("${references[@]}") ;; esac
[ "${CI:-}" = "true" ] && packages+=("${references[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then apt=(apt-get)
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then apt=(sudo apt-get)
  else
    say "missing system packages: ${missing[*]}"
    say "run as root, or: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]} (apt)"
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -q >&2
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" >&2
fi

# npm ci only when the lockfile changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.vesalius-lock 2>/dev/null)" != "$lock_hash" ]; then
  say "installing npm packages (npm ci)"
  # onnxruntime-node's install script would download CUDA files; its CPU binaries are in the package
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund >&2
  echo "$lock_hash" > node_modules/.vesalius-lock
fi

if [ -f native/CMakeLists.txt ]; then
  say "building the native addon"
  npm run --silent build:native >&2
fi

say "compiling TypeScript"
npx tsc -p tsconfig.json >&2
say "ready"
