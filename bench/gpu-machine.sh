#!/usr/bin/env bash
# Runs `npm run bench -- --node` on a GPU machine without Node or a registry, from .devpack/ (bench/pack-for-gpu.sh).
# Usage: bash bench/gpu-machine.sh [--quick] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
P=.devpack
# The Vulkan loader, and the GL dispatch libraries NVIDIA's Vulkan driver (libGLX_nvidia) loads.
if ! ldconfig -p | grep -q libGLdispatch.so.0 || ! ldconfig -p | grep -q libvulkan.so.1; then
  for f in "$P"/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
glx=$(ldconfig -p | awk '/libGLX_nvidia.so.0/ {print $NF; exit}')
[ -n "$glx" ] && ldd "$glx" | grep 'not found' || true
# Where NVIDIA's container runtime puts its Vulkan driver manifest, when the loader does not find one itself.
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
mkdir -p /tmp/trm-node node_modules/webgpu/dist/linux-x64
xz -dc "$P/node.xz" > /tmp/trm-node/node && chmod +x /tmp/trm-node/node
cp "$P"/webgpu/package.json "$P"/webgpu/index.js node_modules/webgpu/
xz -dc "$P/webgpu/dawn.node.xz" > node_modules/webgpu/dist/linux-x64/dawn.node
mkdir -p dist-bench && cp "$P/run.js" dist-bench/run.js
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv || true
exec /tmp/trm-node/node dist-bench/run.js --node "$@"
