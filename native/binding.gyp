{
  "targets": [
    {
      "target_name": "frcnn_blas",
      "sources": ["src/addon.cc", "src/conv.cc", "src/pool.cc", "src/norm.cc", "src/elementwise.cc", "src/workers.cc", "src/gemm.cc", "src/direct-conv.cc", "src/nms.cc", "src/winograd.cc", "src/scratch.cc", "src/sgd.cc", "src/roi-pool.cc", "src/space-to-depth.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-fno-math-errno"],
      "libraries": ["-lopenblas"]
    }
  ]
}
