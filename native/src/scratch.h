// Grow-only scratch buffers reused from call to call: a fresh multi-megabyte std::vector per
// convolution is mapped, zeroed and faulted in page by page each time (~20 ms for VGG16's 38 MB
// transformed filters), more than some of the convolutions themselves.
#pragma once
#include <cstddef>

#include "workers.h"  // kWorkerLimit

// Slots a call may use at once. The buffers are per thread (replicas on worker threads run
// convolutions concurrently): a call hands the buffers of the threads it starts to them, as
// pointers taken on its own thread.
enum ScratchSlot : int {
  kScratchFilter = 0,   // Winograd's transformed filter U
  kScratchFlipped = 1,  // the input gradient's turned filter
  kScratchPackedImage = 2,   // a stride-2 conv's space-to-depth image (or its gradient), or the direct conv's padded image
  kScratchPackedFilter = 3,  // … and its 3×3 filter over 4·C channels
  kScratchIm2col = 4,                          // + worker: its im2col block
  kScratchConvSum = kScratchIm2col + kWorkerLimit,  // + worker: its share of a filter or input gradient
  kScratchWorker = kScratchConvSum + kWorkerLimit,  // + 3 · worker + {0, 1, 2}: its Winograd tiles and sums
};
constexpr int kScratchSlots = kScratchWorker + 3 * kWorkerLimit;

// At least `floats` uninitialised floats for `slot` of the calling thread, valid until that
// thread's next request of that slot.
float* scratch(int slot, size_t floats);
