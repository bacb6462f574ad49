//===- BufferizableOpInterfaceImpl.cpp - bufferizing attn ops -------------===//
//
// attn.block is in destination-passing style, so the generic DPS model says
// which operands are read and which alias results; bufferizing it swaps every
// tensor operand for its buffer and the results for the outs' buffers.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/BufferizableOpInterfaceImpl.h"

#include "dialects/attn/AttnDialect.h"
#include "dialects/attn/AttnOps.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"

using namespace mlir;
using namespace mlir::bufferization;
using namespace sdpa::attn;

namespace {
struct BlockOpInterface
    : public DstBufferizableOpInterfaceExternalModel<BlockOpInterface,
                                                     BlockOp> {
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      if (!isa<TensorType>(operand.getType())) {
        operands.push_back(operand);
        continue;
      }
      FailureOr<Value> buffer = getBuffer(rewriter, operand, options, state);
      if (failed(buffer))
        return failure();
      operands.push_back(*buffer);
    }
    rewriter.setInsertionPoint(op);
    auto bufferized = BlockOp::create(rewriter, op->getLoc(), TypeRange(),
                                      operands, op->getAttrs());
    SmallVector<Value> outBuffers(bufferized.getOuts());
    replaceOpWithBufferizedValues(rewriter, op, outBuffers);
    return success();
  }
};
} // namespace

void sdpa::attn::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, AttnDialect *dialect) {
    BlockOp::attachInterface<BlockOpInterface>(*ctx);
  });
}
