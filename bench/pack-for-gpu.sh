#!/usr/bin/env bash
# Packs what `bench/gpu-machine.sh` needs on a GPU machine that has neither Node, a browser nor a registry:
# this Node binary, the `webgpu` package's Linux x64 Dawn build, the bundled runner (dist-bench/run.js) and
# the Vulkan loader with the GL dispatch libraries NVIDIA's Vulkan driver needs. Everything lands in .devpack/ (git-ignored), about 30 MB compressed.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run -s build:bench
rm -rf .devpack && mkdir -p .devpack/webgpu
xz -6 -T0 -c "$(command -v node)" > .devpack/node.xz
cp node_modules/webgpu/package.json node_modules/webgpu/index.js .devpack/webgpu/
xz -6 -T0 -c node_modules/webgpu/dist/linux-x64/dawn.node > .devpack/webgpu/dawn.node.xz
cp dist-bench/run.js .devpack/run.js
(cd .devpack && apt-get download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2 libx11-6 libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 2>/dev/null)
du -sh .devpack
