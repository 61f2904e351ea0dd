// The addon's own parallel loops run on as many threads as OpenBLAS was given (setThreads).
#pragma once
#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);

constexpr int kWorkerLimit = 64;  // scratch.h keeps per-worker slots for this many

inline int workers() { return std::clamp(openblas_get_num_threads(), 1, kWorkerLimit); }

// Runs fn(worker) for worker = 0 … workers() − 1, one thread each (the caller's is worker 0).
// OpenBLAS is set to one thread meanwhile, so that an SGEMM inside fn runs on fn's thread
// (OpenBLAS's single-threaded path is reentrant); the addon is called synchronously from one
// JavaScript thread, so no other SGEMM sees the change.
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
