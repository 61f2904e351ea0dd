#include "workers.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace {

// One job at a time: `ticket` packs the job's generation (high 32 bits) and its next index (low
// 32), so a thread that wakes after its job ended cannot claim an index of the next one.
struct Pool {
  std::mutex busy;  // held by the caller for the whole job: one job at a time
  std::mutex m;
  std::condition_variable wake, done;
  uint32_t generation = 0;
  int count = 0;
  const std::function<void(int)>* fn = nullptr;
  std::atomic<uint64_t> ticket{0};
  std::atomic<int> remaining{0};
  int threads = 0;  // started so far (they live as long as the process)
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: its threads outlive static destruction
  return *p;
}

// Claims and runs indices of job `gen` until none is left; true when this thread finished the last.
bool claimAndRun(Pool& p, uint32_t gen, int count, const std::function<void(int)>& fn) {
  bool last = false;
  for (;;) {
    uint64_t t = p.ticket.load(std::memory_order_relaxed);
    for (;;) {
      if (uint32_t(t >> 32) != gen || int(uint32_t(t)) >= count) return last;
      if (p.ticket.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel)) break;
    }
    fn(int(uint32_t(t)));
    if (p.remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) last = true;
  }
}

void poolThread(Pool* p) {
  uint32_t seen = 0;
  for (;;) {
    uint32_t gen;
    int count;
    const std::function<void(int)>* fn;
    {
      std::unique_lock<std::mutex> lock(p->m);
      p->wake.wait(lock, [&] { return p->generation != seen; });
      seen = gen = p->generation;
      count = p->count;
      fn = p->fn;
    }
    // fn stays valid while an index of `gen` is unfinished: the caller waits for all of them.
    if (claimAndRun(*p, gen, count, *fn)) {
      std::lock_guard<std::mutex> lock(p->m);
      p->done.notify_all();
    }
  }
}

}  // namespace

void runOnPool(int count, int threads, const std::function<void(int)>& fn) {
  Pool& p = pool();
  std::unique_lock<std::mutex> own(p.busy, std::try_to_lock);
  if (!own.owns_lock() || count <= 1 || threads <= 1) {
    // Another JavaScript thread holds the pool (or nothing to share): this thread runs every index.
    for (int i = 0; i < count; ++i) fn(i);
    return;
  }
  uint32_t gen;
  {
    std::lock_guard<std::mutex> lock(p.m);
    while (p.threads < threads - 1) {
      std::thread(poolThread, &p).detach();
      ++p.threads;
    }
    gen = ++p.generation;
    p.count = count;
    p.fn = &fn;
    p.remaining.store(count, std::memory_order_relaxed);
    p.ticket.store(uint64_t(gen) << 32, std::memory_order_release);
  }
  p.wake.notify_all();
  claimAndRun(p, gen, count, fn);
  if (p.remaining.load(std::memory_order_acquire) != 0) {
    std::unique_lock<std::mutex> lock(p.m);
    p.done.wait(lock, [&] { return p.remaining.load(std::memory_order_acquire) == 0; });
  }
}
