//===- SinkViews.h - views computed inside a gpu.launch --------*- C++ -*-===//
//
// Kernels take their memrefs as bare pointers, which only dense memrefs can
// be. A view (subview, reshape, transpose, cast) of a buffer made on the host
// and used in a launch would become a strided kernel argument; computing it
// inside the launch instead leaves the kernel the dense buffer it views.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_PASSES_SINKVIEWS_H
#define SDPA_PASSES_SINKVIEWS_H

namespace mlir {
class RewriterBase;
namespace gpu {
class LaunchOp;
} // namespace gpu
} // namespace mlir

namespace sdpa {

/// Clones into `launch` every view op and constant global defined outside it
/// whose result the launch uses (and the views those read, transitively,
/// with the constants their sizes and offsets need), and makes the launch
/// use the clones.
void sinkViewsIntoLaunch(mlir::RewriterBase &rewriter,
                         mlir::gpu::LaunchOp launch);

} // namespace sdpa

#endif // SDPA_PASSES_SINKVIEWS_H
