# syntax=docker/dockerfile:1.7
# frcnn GPU trainer: TensorFlow.js on libtensorflow with CUDA (@tensorflow/tfjs-node-gpu).
# tfjs-node-gpu 4.x binds libtensorflow 2.9.1, built for CUDA 11.2 and cuDNN 8.1: the image
# brings exactly that userspace, whatever CUDA the node's driver reports (drivers run older
# CUDA userspaces; the driver must be >= 460.32.03). Build from the repository root:
#   docker build -f deploy/docker/trainer-gpu.Dockerfile -t frcnn-trainer-gpu:0.1.0 .
# Pin digests for reproducible builds (--build-arg CUDA_IMAGE=...@sha256:...). If Docker Hub
# no longer serves the 11.2.2 tag, NVIDIA's registry does: nvcr.io/nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04.
ARG CUDA_IMAGE=nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04
ARG NODE_IMAGE=node:20.20.2-bookworm-slim
# Must equal the @tensorflow/tfjs-core version in package-lock.json (checked by test/deploy).
ARG TFJS_NODE_GPU_VERSION=4.22.0

# Node's official Linux build (glibc >= 2.28) runs on Ubuntu 20.04 (glibc 2.31): take it from the pinned Node image.
FROM ${NODE_IMAGE} AS node

FROM ${CUDA_IMAGE} AS build
ARG TFJS_NODE_GPU_VERSION
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
# tfjs-node-gpu downloads libtensorflow and a prebuilt N-API addon at install; python3, make
# and g++ let node-gyp build the addon if no prebuilt one matches.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall runs it; without libopenblas-dev it skips the CPU-only addon (the
# tensorflow backend does the work here).
COPY scripts/build-native.mjs ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm install --omit=dev --no-save --no-audit --no-fund @tensorflow/tfjs-node-gpu@${TFJS_NODE_GPU_VERSION} \
 && npm cache clean --force

FROM ${CUDA_IMAGE}
COPY --from=node /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production \
    FRCNN_BACKEND=tensorflow \
    FRCNN_DATA_DIR=/scratch \
    TF_FORCE_GPU_ALLOW_GROWTH=true \
    TF_CPP_MIN_LOG_LEVEL=1
RUN groupadd --system --gid 10001 frcnn \
 && useradd --system --uid 10001 --gid frcnn --home-dir /scratch --no-create-home frcnn \
 && mkdir -p /scratch && chown frcnn:frcnn /scratch
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY proto ./proto
USER 10001:10001
# Unhealthy when the GPU is gone (fallen off the bus, driver reset): nvidia-smi comes with
# the NVIDIA container runtime (NVIDIA_DRIVER_CAPABILITIES includes utility in this base).
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["nvidia-smi", "-L"]
ENTRYPOINT ["node", "bin/frcnn.js"]
CMD ["trainer"]
