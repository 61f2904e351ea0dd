#!/bin/sh
# Regenerate the TypeScript types of the gRPC contract into src/generated (committed; a test
# checks they match the .proto files). Same flags as the runtime loader (src/coordinator/grpc/load.ts).
set -e
cd "$(dirname "$0")/.."
rm -rf src/generated
node node_modules/@grpc/proto-loader/build/bin/proto-loader-gen-types.js \
  --keepCase --longs String --enums String --defaults --oneofs --grpcLib @grpc/grpc-js \
  --importFileExtension .ts -I proto -O src/generated frcnn/v1/sweep.proto frcnn/v1/worker.proto
