// The addon's own parallel loops run on as many threads as OpenBLAS was given (setThreads).
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);

constexpr int kWorkerLimit = 64;  // scratch.h keeps per-worker slots for this many

inline int workers() { return std::clamp(openblas_get_num_threads(), 1, kWorkerLimit); }

// Runs fn(i) for i = 0 … count − 1 on the calling thread and up to threads − 1 pool threads
// (started once, asleep between jobs), each index claimed from a shared counter: a core that
// wakes late (taken by another process, the host or a GC thread) leaves its share to the
// others instead of holding the call, and no thread is created per call. One job at a time:
// a second JavaScript thread calling meanwhile runs its indices itself.
void runOnPool(int count, int threads, const std::function<void(int)>& fn);

// fn(i) for i = 0 … count − 1 over the pool (inline when there is one worker or one index).
// OpenBLAS is set to one thread meanwhile, so that an SGEMM inside fn runs on fn's thread
// (OpenBLAS's single-threaded path is reentrant) and nested parallel loops run inline. The
// setting is process-wide: replicas on worker threads run with OpenBLAS at one thread anyway,
// so none of their products sees it change.
template <typename Fn>
void parallelFor(int count, Fn fn) {
  const int threads = workers();
  if (threads <= 1 || count <= 1) {
    for (int i = 0; i < count; ++i) fn(i);
    return;
  }
  openblas_set_num_threads(1);
  runOnPool(count, threads, std::function<void(int)>(fn));
  openblas_set_num_threads(threads);
}

// fn(worker) for worker = 0 … workers() − 1 (per-worker buffers are indexed by it; any thread
// may run any index, one thread several).
template <typename Fn>
void onWorkers(Fn fn) {
  parallelFor(workers(), fn);
}

// Element-wise passes below this many values run on one thread (waking a pool thread and
// sharing the cache lines costs more), and per-worker partial sums come in chunks this big.
constexpr int64_t kMinParallelValues = int64_t(1) << 16;

// Rows of `rowValues` values each that make a pass worth splitting.
inline int64_t minParallelRows(int64_t rowValues) { return kMinParallelValues / rowValues + 1; }

// Chunks per worker in parallelRanges: enough that a late core's share is taken over.
constexpr int64_t kChunksPerWorker = 4;

// fn(begin, end) over consecutive chunks of [0, n) (at least minimum / 2 each, so fn may run
// several times per thread); on the caller's thread alone when n < minimum (waking a pool
// thread costs microseconds).
template <typename Fn>
void parallelRanges(int64_t n, int64_t minimum, Fn fn) {
  const int threads = n < minimum ? 1 : workers();
  if (threads <= 1) return fn(int64_t(0), n);
  const int64_t chunks = std::max<int64_t>(threads, std::min<int64_t>(threads * kChunksPerWorker, n / std::max<int64_t>(minimum / 2, 1)));
  parallelFor(int(chunks), [&](int i) { fn(n * i / chunks, n * (i + 1) / chunks); });
}

// Chunks for sums that must not depend on the thread count (same bits on any machine): from
// the size alone, one per `grain` values, at most 16.
inline int fixedChunks(int64_t values, int64_t grain = kMinParallelValues) { return int(std::clamp<int64_t>(values / grain, 1, 16)); }

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
