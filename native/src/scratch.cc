#include "scratch.h"

#include <memory>

namespace {

struct Buffer {
  std::unique_ptr<float[]> data;
  size_t size = 0;
};

// Per thread: two replicas on two worker threads run convolutions at the same time.
thread_local Buffer buffers[kScratchSlots];

}  // namespace

float* scratch(int slot, size_t floats) {
  Buffer& b = buffers[slot];
  if (b.size < floats) {
    b.data.reset();  // release the old one first: the two need not coexist
    b.data.reset(new float[floats]);
    b.size = floats;
  }
  return b.data.get();
}
