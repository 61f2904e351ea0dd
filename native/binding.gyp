{
  "targets": [
    {
      "target_name": "frcnn_blas",
      "sources": ["src/addon.cc", "src/conv.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions"],
      "libraries": ["-lopenblas"]
    }
  ]
}
