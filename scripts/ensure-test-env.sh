#!/usr/bin/env bash
# First step of `npm test`: make sure the machine can run every tier before any test starts.
#   - a WebGPU-capable Chrome/Chromium (113+) for Playwright and the browser tests: CHROMIUM_PATH, else the
#     list in test/helpers/chromium.ts (same order, so both pick the same browser);
#   - on Linux, the Vulkan loader (libvulkan.so.1) and a Vulkan driver for Dawn in Node: a GPU's, or SwiftShader
#     (shipped by Debian's chromium) where there is no GPU.
#   - Python 3 with numpy and torch 1.13+ (torch.load's weights_only) for the cross-checks against the reference
#     formats: TRM_LAB_PYTHON, else /usr/bin/python3 (test/helpers/python.ts uses the same).
# On a Debian-like machine where it may (root, or sudo without a password) it installs what is missing (chromium,
# libvulkan1, python3-torch, python3-numpy, libopenblas0-pthread: torch's matmuls are ~10x faster with it); elsewhere
# it names in one line what to install and exits 1.
set -euo pipefail

CANDIDATES=(
  /usr/bin/chromium
  /usr/bin/chromium-browser
  /usr/bin/google-chrome-stable
  /usr/bin/google-chrome
  /opt/google/chrome/chrome
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
  /Applications/Chromium.app/Contents/MacOS/Chromium
)
SWIFTSHADER_ICD=/usr/lib/chromium/vk_swiftshader_icd.json # where src/gpu/node.ts looks for it
PYTHON=${TRM_LAB_PYTHON:-/usr/bin/python3}

has_python_torch() {
  "$PYTHON" -c 'import inspect, numpy, torch; assert "weights_only" in inspect.signature(torch.load).parameters' >/dev/null 2>&1
}

find_browser() {
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    [ -x "$CHROMIUM_PATH" ] && echo "$CHROMIUM_PATH"
    return 0
  fi
  local p
  for p in "${CANDIDATES[@]}"; do
    if [ -x "$p" ]; then echo "$p"; return 0; fi
  done
}

# The major version, or nothing when the browser does not say (then it is trusted).
browser_major() { "$1" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9.]+' | head -1 | cut -d. -f1 || true; }

has_vulkan_loader() {
  local libs
  libs=$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true)
  grep -q 'libvulkan\.so\.1' <<<"$libs" && return 0
  compgen -G '/usr/lib*/libvulkan.so.1' >/dev/null || compgen -G '/usr/lib*/*-linux-gnu/libvulkan.so.1' >/dev/null
}

# A driver the loader will use: the ones VK_ICD_FILENAMES names, SwiftShader from chromium, or any installed ICD.
has_vulkan_driver() {
  if [ -n "${VK_ICD_FILENAMES:-}" ]; then
    local f
    IFS=: read -ra icds <<<"$VK_ICD_FILENAMES"
    for f in "${icds[@]}"; do [ -f "$f" ] || return 1; done
    return 0
  fi
  [ -f "$SWIFTSHADER_ICD" ] && return 0
  compgen -G '/usr/share/vulkan/icd.d/*.json' >/dev/null || compgen -G '/etc/vulkan/icd.d/*.json' >/dev/null ||
    compgen -G '/usr/local/share/vulkan/icd.d/*.json' >/dev/null
}

# Apt packages this machine lacks, one per line.
missing_packages() {
  local browser
  browser=$(find_browser)
  if [ -z "$browser" ] && [ -z "${CHROMIUM_PATH:-}" ]; then echo chromium; fi
  if [ "$(uname -s)" = Linux ]; then
    has_vulkan_loader || echo libvulkan1
    if [ -n "$browser" ] && ! has_vulkan_driver; then echo chromium; fi
  fi
  if [ -z "${TRM_LAB_PYTHON:-}" ]; then
    has_python_torch || printf '%s\n' python3-torch python3-numpy
    if command -v dpkg >/dev/null && ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then echo libopenblas0-pthread; fi
  fi
}

# One line naming every problem; empty when the machine is ready.
problems() {
  local browser major out=()
  browser=$(find_browser)
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -z "$browser" ]; then
    out+=("CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file")
  elif [ -z "$browser" ]; then
    out+=("no Chrome/Chromium found (install Debian's chromium, or Chrome 113+ and set CHROMIUM_PATH)")
  else
    major=$(browser_major "$browser")
    if [ -n "$major" ] && [ "$major" -lt 113 ]; then out+=("$browser is version $major (WebGPU needs Chrome/Chromium 113+)"); fi
  fi
  if [ "$(uname -s)" = Linux ]; then
    has_vulkan_loader || out+=("no Vulkan loader libvulkan.so.1 (Debian/Ubuntu: libvulkan1, Fedora: vulkan-loader)")
    if ! has_vulkan_driver; then
      if [ -n "${VK_ICD_FILENAMES:-}" ]; then
        out+=("VK_ICD_FILENAMES=$VK_ICD_FILENAMES names a file that is not there")
      elif [ -f /opt/google/chrome/vk_swiftshader_icd.json ]; then
        out+=("no Vulkan driver (set VK_ICD_FILENAMES=/opt/google/chrome/vk_swiftshader_icd.json for Chrome's SwiftShader)")
      else
        out+=("no Vulkan driver (a GPU's, or SwiftShader from Debian's chromium at $SWIFTSHADER_ICD)")
      fi
    fi
  fi
  has_python_torch || out+=("no Python with numpy and torch 1.13+ at $PYTHON (Debian: python3-torch python3-numpy; or set TRM_LAB_PYTHON)")
  local line="" o
  for o in "${out[@]+"${out[@]}"}"; do line+="${line:+; }$o"; done
  echo "$line"
}

install_missing() {
  local pkgs=() p
  while read -r p; do pkgs+=("$p"); done < <(missing_packages | sort -u)
  [ ${#pkgs[@]} -gt 0 ] || return 0
  command -v apt-get >/dev/null || return 0
  local as=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null || return 0
    as=(sudo -n)
  fi
  echo "test environment: installing ${pkgs[*]}"
  "${as[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
}

install_missing
left=$(problems)
if [ -n "$left" ]; then
  echo "test environment: $left. Nothing was tested." >&2
  exit 1
fi
browser=$(find_browser)
echo "test environment: $browser ($("$browser" --version 2>/dev/null | head -1 || echo 'version unknown'))$([ "$(uname -s)" = Linux ] && echo ', Vulkan loader and driver present'), $PYTHON with torch $("$PYTHON" -c 'import torch; print(torch.__version__)')"
