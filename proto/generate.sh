#!/bin/sh
# Regenerates everything derived from proto/; run from the repository root as
# `npm run proto:gen` (npm puts node_modules/.bin, hence buf, on PATH). Offline:
# ts-proto runs from node_modules and only google/protobuf imports are used.
set -eu
out=libs/contracts/src/gen

# TypeScript for every message and grpc-js service (buf.gen.yaml cleans $out first).
buf generate proto --template proto/buf.gen.yaml

# Binary descriptor sets, exactly as protoc would describe the files (with their
# comments), for gRPC server reflection: proto-loader's own descriptors merge files
# per package and drop imports, which grpcurl cannot resolve.
mkdir -p "$out/descriptors"
buf build proto -o "$out/descriptors/wenming.binpb"
buf build node_modules/grpc-health-check/proto -o "$out/descriptors/grpc-health-v1.binpb"
buf build node_modules/@grpc/reflection/build/proto --path node_modules/@grpc/reflection/build/proto/grpc/reflection \
  -o "$out/descriptors/grpc-reflection-v1.binpb"
