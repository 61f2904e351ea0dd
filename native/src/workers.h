// The addon's own parallel loops run on as many threads as OpenBLAS was given (setThreads).
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);

constexpr int kWorkerLimit = 64;  // scratch.h keeps per-worker slots for this many

inline int workers() { return std::clamp(openblas_get_num_threads(), 1, kWorkerLimit); }

// Runs fn(worker) for worker = 0 … workers() − 1, one thread each (the caller's is worker 0).
// OpenBLAS is set to one thread meanwhile, so that an SGEMM inside fn runs on fn's thread
// (OpenBLAS's single-threaded path is reentrant). The setting is process-wide: replicas on
// worker threads run with OpenBLAS at one thread anyway, so none of their products sees it change.
template <typename Fn>
void onWorkers(Fn fn) {
  const int threads = workers();
  if (threads <= 1) return fn(0);
  openblas_set_num_threads(1);
  std::vector<std::thread> others;
  for (int t = 1; t < threads; ++t) others.emplace_back(fn, t);
  fn(0);
  for (auto& t : others) t.join();
  openblas_set_num_threads(threads);
}

// fn(begin, end) over [0, n) in one contiguous range per worker; on the caller's thread alone
// when n < minimum (a thread start costs tens of microseconds).
template <typename Fn>
void parallelRanges(int64_t n, int64_t minimum, Fn fn) {
  const int parts = n < minimum ? 1 : workers();
  if (parts <= 1) return fn(int64_t(0), n);
  onWorkers([&](int part) { fn(n * part / parts, n * (part + 1) / parts); });
}

// Work cut into blocks of `size` units (im2col pixels, Winograd tiles) of each image, numbered
// over all images.
struct Blocks {
  int64_t units, size, perImage, total;  // units per image and per block; blocks per image and in all
};

// Blocks near `target` units; when there are few, a multiple of the workers so that none idles
// at the end.
inline Blocks splitBlocks(int n, int64_t units, int64_t target) {
  int64_t perImage = (units + target - 1) / target;
  const int w = workers();
  if (n * perImage < 8 * w)
    while ((n * perImage) % w != 0 && perImage < units) ++perImage;
  const int64_t size = (units + perImage - 1) / perImage;
  perImage = (units + size - 1) / size;
  return {units, size, perImage, n * perImage};
}

// Each worker takes blocks from a shared counter and runs fn(worker, image, first unit, count,
// whether it is the worker's first block) on its own thread; workers beyond the block count get
// none. Returns, per worker, whether it had a block.
template <typename Fn>
std::vector<char> onBlocks(const Blocks& blocks, Fn fn) {
  std::vector<char> worked(size_t(workers()), 0);
  std::atomic<int64_t> next{0};
  onWorkers([&](int worker) {
    if (worker >= blocks.total) return;
    for (int64_t i = next++; i < blocks.total; i = next++) {
      const int64_t u0 = (i % blocks.perImage) * blocks.size;
      fn(worker, int(i / blocks.perImage), u0, std::min(blocks.size, blocks.units - u0), !worked[size_t(worker)]);
      worked[size_t(worker)] = 1;
    }
  });
  return worked;
}

// Workers that can get a block of `blocks` (so many per-worker buffers are needed).
inline int blockWorkers(const Blocks& blocks) { return int(std::min<int64_t>(workers(), blocks.total)); }
