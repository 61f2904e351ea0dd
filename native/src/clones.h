// The per-element loops are built twice, for AVX2 + FMA and for baseline x86-64, and the loader
// picks one per machine (GCC function multiversioning): the image may run on other CPUs than
// the one that built it. (An x86-64-v4 / AVX-512 build measured no faster on Zen 4.)
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FRCNN_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define FRCNN_CLONES
#endif
