//===- DropoutPhilox.h - dropout's keep decisions as IR --------*- C++ -*-===//
//
// The CPU and GPU lowerings of attn.block must drop exactly the elements the
// reference drops, so both build the Philox-4x32-10 draw with this one
// function.
//
//===----------------------------------------------------------------------===//

#ifndef SDPA_PASSES_DROPOUTPHILOX_H
#define SDPA_PASSES_DROPOUTPHILOX_H

#include "mlir/IR/Builders.h"

#include <cstdint>

namespace sdpa {

/// Whether dropout keeps the elements (batch, head, row, cols): `cols` holds
/// absolute key columns as i64 or a vector of i64 (one draw per lane); `row`,
/// `head` and `batch` are index values; `seed` is i64. Element (b, h, i, j)
/// draws word j & 3 of Philox-4x32-10 on the counter {j >> 2, i, h, b} under
/// the key {seed low, seed high} and is kept when the draw is at least
/// `threshold` (see runtime/reference's dropoutThreshold). Returns i1, or a
/// vector of i1 shaped like `cols`.
mlir::Value buildDropoutKeep(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value cols, mlir::Value row,
                             mlir::Value head, mlir::Value batch,
                             mlir::Value seed, uint32_t threshold);

} // namespace sdpa

#endif // SDPA_PASSES_DROPOUTPHILOX_H
