//===- DropoutPhilox.cpp - dropout's keep decisions as IR -----------------===//

#include "passes/DropoutPhilox.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

Value sdpa::buildDropoutKeep(OpBuilder &b, Location loc, Value cols, Value row,
                             Value head, Value batch, Value seed,
                             uint32_t threshold) {
  auto i32 = b.getI32Type(), i64 = b.getI64Type();
  auto lanes = dyn_cast<VectorType>(cols.getType());
  Type wordType = lanes ? Type(VectorType::get(lanes.getShape(), i32)) : i32;
  // Constants and uniform words, splat across the lanes when there are any.
  auto word = [&](uint32_t v) -> Value {
    if (lanes)
      return arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(cast<ShapedType>(wordType), APInt(32, v)));
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  };
  auto uniform = [&](Value scalar) -> Value {
    return lanes ? Value(vector::BroadcastOp::create(b, loc, wordType, scalar))
                 : scalar;
  };
  auto index32 = [&](Value index) -> Value {
    return arith::TruncIOp::create(
        b, loc, i32, arith::IndexCastOp::create(b, loc, i64, index));
  };

  Value cols32 = arith::TruncIOp::create(b, loc, wordType, cols);
  SmallVector<Value> counter = {arith::ShRUIOp::create(b, loc, cols32, word(2)),
                                uniform(index32(row)), uniform(index32(head)),
                                uniform(index32(batch))};
  Value key0 = arith::TruncIOp::create(b, loc, i32, seed);
  Value key1 = arith::TruncIOp::create(
      b, loc, i32,
      arith::ShRUIOp::create(
          b, loc, seed,
          arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(32))));
  SmallVector<Value> key = {uniform(key0), uniform(key1)};
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] = arith::AddIOp::create(b, loc, key[0], word(0x9E3779B9u));
      key[1] = arith::AddIOp::create(b, loc, key[1], word(0xBB67AE85u));
    }
    auto product0 =
        arith::MulUIExtendedOp::create(b, loc, word(0xD2511F53u), counter[0]);
    auto product1 =
        arith::MulUIExtendedOp::create(b, loc, word(0xCD9E8D57u), counter[2]);
    counter = {
        arith::XOrIOp::create(
            b, loc,
            arith::XOrIOp::create(b, loc, product1.getHigh(), counter[1]),
            key[0]),
        product1.getLow(),
        arith::XOrIOp::create(
            b, loc,
            arith::XOrIOp::create(b, loc, product0.getHigh(), counter[3]),
            key[1]),
        product0.getLow()};
  }
  Value lane = arith::AndIOp::create(b, loc, cols32, word(3));
  Value draw = counter[3];
  for (uint32_t w = 0; w < 3; ++w)
    draw = arith::SelectOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, word(w)),
        counter[w], draw);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, draw,
                               word(threshold));
}
