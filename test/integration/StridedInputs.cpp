//===- StridedInputs.cpp - compiled kernels on non-contiguous inputs ------===//
//
// A test-only driver (sdpa-strided-inputs, run by strided_inputs.test):
// compiles attention graphs for the CPU with the compile API, runs the
// artifacts on inputs that are views into larger random buffers, as
// frameworks pass them (slices of a packed QKV projection, [B, L, H, E]
// tensors permuted to [B, H, L, E], masks expanded over heads with stride
// 0, slices of a KV cache, views at odd element offsets), and compares
// every result with the float64 reference evaluated on contiguous copies of
// the same views.
//
// Each case also reruns the kernel with the same data pointers but the
// strides dropped, which is what a kernel ignoring the strides would read:
// that must miss the reference by far more than the tolerance, or the case
// proves nothing. Prints one line per result and `all cases passed` at the
// end; exits 1 on any failure.
//
//===----------------------------------------------------------------------===//

#include "compiler/Compile.h"
#include "compiler/Registration.h"
#include "runtime/cpu/CpuArtifact.h"
#include "runtime/npy/Npy.h"
#include "runtime/npy/RandomArray.h"
#include "runtime/npy/RelativeError.h"
#include "runtime/reference/Reference.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <functional>
#include <memory>
#include <random>

using namespace sdpa;
using llvm::outs;

namespace {

/// A random buffer that views point into; its size grows to cover every
/// view (and the contiguous run the control reads from each view's start).
struct Storage {
  npy::DType dtype;
  int64_t size = 0;
  npy::Array array;
};

/// Element [i...] of a view is storage element offset + sum(i_d * strides_d).
struct View {
  std::shared_ptr<Storage> storage;
  std::vector<int64_t> shape, strides;
  int64_t offset = 0;
};

/// What a case computes from contiguous float64 copies of its inputs.
using Expected = std::function<std::vector<ref::Tensor>(
    const std::vector<ref::Tensor> &inputs)>;

struct Case {
  std::string name;
  /// What the views are, for the log.
  std::string views;
  /// The module: one public function, the entry.
  std::string mlir;
  std::vector<View> inputs;
  Expected expected;
};

std::shared_ptr<Storage> storage(npy::DType dtype) {
  return std::make_shared<Storage>(Storage{dtype, 0, {}});
}

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

View view(std::shared_ptr<Storage> s, std::vector<int64_t> shape,
          std::vector<int64_t> strides, int64_t offset) {
  int64_t first = offset, last = offset;
  for (size_t d = 0; d < shape.size(); ++d)
    (strides[d] < 0 ? first : last) += (shape[d] - 1) * strides[d];
  if (first < 0)
    llvm::report_fatal_error("a view starts before its storage");
  s->size = std::max({s->size, last + 1, offset + numElements(shape)});
  return View{std::move(s), std::move(shape), std::move(strides), offset};
}

/// The view of `shape` (C order) permuted by `perm`: dim d of the result is
/// dim perm[d] of the stored tensor.
View permuted(std::shared_ptr<Storage> s, const std::vector<int64_t> &stored,
              const std::vector<int64_t> &perm, int64_t offset) {
  std::vector<int64_t> storedStrides = rt::contiguousStrides(stored);
  std::vector<int64_t> shape, strides;
  for (int64_t p : perm) {
    shape.push_back(stored[p]);
    strides.push_back(storedStrides[p]);
  }
  return view(std::move(s), shape, strides, offset);
}

/// A contiguous float64 copy of `v`.
ref::Tensor gather(const View &v) {
  ref::Tensor t = ref::Tensor::filled(v.shape, 0.0);
  std::vector<int64_t> index(v.shape.size(), 0);
  for (int64_t i = 0, e = t.numElements(); i < e; ++i) {
    int64_t at = v.offset;
    for (size_t d = 0; d < index.size(); ++d)
      at += index[d] * v.strides[d];
    t.data[i] = v.storage->array.getAsDouble(at);
    for (size_t d = index.size(); d-- > 0;) {
      if (++index[d] < v.shape[d])
        break;
      index[d] = 0;
    }
  }
  return t;
}

rt::TensorRef tensorRef(const View &v, bool dropStrides) {
  uint8_t *base = v.storage->array.bytes.data() +
                  v.offset * npy::dtypeSize(v.storage->dtype);
  return rt::TensorRef{v.storage->dtype, v.shape,
                       dropStrides ? std::vector<int64_t>() : v.strides, base};
}

/// sdpa-run's measure (runtime/npy/RelativeError.h).
double relativeError(const npy::Array &actual, const ref::Tensor &expected) {
  return npy::relativeError(
      expected.numElements(), [&](int64_t i) { return actual.getAsDouble(i); },
      [&](int64_t i) { return expected.data[i]; });
}

double toleranceFor(npy::DType dtype) {
  return dtype == npy::DType::F32 ? 1e-5 : 1e-2;
}

std::string tensorType(const std::vector<int64_t> &shape, const char *elt) {
  std::string text = "tensor<";
  for (int64_t d : shape)
    text += std::to_string(d) + "x";
  return text + elt + ">";
}

/// The float64 reference of one attention; a reference error aborts the
/// test (the cases are built to be valid).
ref::Result evaluateOrDie(const ref::Tensor &q, const ref::Tensor &k,
                          const ref::Tensor &v, const ref::Mask &mask,
                          const ref::Attributes &attrs) {
  ref::Result result;
  std::string error = evaluateSdpa(q, k, v, mask, attrs, result);
  if (!error.empty())
    llvm::report_fatal_error(llvm::Twine("reference: ") + error);
  return result;
}

/// The reference of a graph that is one attn.sdpa on its inputs.
Expected sdpaReference(ref::Attributes attrs, ref::Mask::Kind mask,
                       bool withLse) {
  return [=](const std::vector<ref::Tensor> &in) {
    ref::Mask m;
    m.kind = mask;
    if (mask != ref::Mask::Kind::None)
      m.values = in[3];
    ref::Result result = evaluateOrDie(in[0], in[1], in[2], m, attrs);
    std::vector<ref::Tensor> out = {result.out};
    if (withLse)
      out.push_back(result.lse);
    return out;
  };
}

/// Grouped-query causal prefill, f32, with the query, key and value of a
/// packed [B, L, Hq + 2 Hkv, E] projection (as a fused QKV linear writes
/// it), the buffer starting 3 elements into its allocation.
Case packedQkv() {
  const int64_t b = 2, l = 100, hq = 8, hkv = 2, e = 64, heads = hq + 2 * hkv;
  auto qkv = storage(npy::DType::F32);
  std::vector<int64_t> outer = {l * heads * e, e, heads * e, 1};
  Case c;
  c.name = "gqa_causal_f32_packed_qkv";
  c.views = "q, k, v: slices of a packed [2, 100, 12, 64] projection at "
            "element offset 3";
  c.inputs = {view(qkv, {b, hq, l, e}, outer, 3),
              view(qkv, {b, hkv, l, e}, outer, 3 + hq * e),
              view(qkv, {b, hkv, l, e}, outer, 3 + (hq + hkv) * e)};
  std::string tq = tensorType({b, hq, l, e}, "f32");
  std::string tkv = tensorType({b, hkv, l, e}, "f32");
  std::string tlse = tensorType({b, hq, l}, "f32");
  c.mlir = "func.func @main(%q: " + tq + ", %k: " + tkv + ", %v: " + tkv +
           ") -> (" + tq + ", " + tlse +
           ") {\n"
           "  %o, %lse = attn.sdpa %q, %k, %v causal align top_left : " +
           tq + ", " + tkv + ", " + tkv + " -> " + tq + ", " + tlse +
           "\n  return %o, %lse : " + tq + ", " + tlse + "\n}\n";
  ref::Attributes attrs;
  attrs.causal = true;
  c.expected = sdpaReference(attrs, ref::Mask::Kind::None, /*withLse=*/true);
  return c;
}

/// f16 chunked prefill (L < S, bottom-right causal), GQA, Ev != E, with
/// [B, L, H, E] tensors permuted to [B, H, L, E], each at its own offset.
Case permutedF16() {
  const int64_t b = 2, l = 37, s = 83, hq = 4, hkv = 2, e = 32, ev = 48;
  Case c;
  c.name = "gqa_bottom_right_f16_blhe_ev48";
  c.views = "q, k, v: [B, L, H, E] buffers permuted to [B, H, L, E], at "
            "element offsets 5, 17 and 1";
  c.inputs = {
      permuted(storage(npy::DType::F16), {b, l, hq, e}, {0, 2, 1, 3}, 5),
      permuted(storage(npy::DType::F16), {b, s, hkv, e}, {0, 2, 1, 3}, 17),
      permuted(storage(npy::DType::F16), {b, s, hkv, ev}, {0, 2, 1, 3}, 1)};
  std::string tq = tensorType({b, hq, l, e}, "f16");
  std::string tk = tensorType({b, hkv, s, e}, "f16");
  std::string tv = tensorType({b, hkv, s, ev}, "f16");
  std::string to = tensorType({b, hq, l, ev}, "f16");
  c.mlir = "func.func @main(%q: " + tq + ", %k: " + tk + ", %v: " + tv +
           ") -> " + to +
           " {\n"
           "  %o = attn.sdpa %q, %k, %v causal align bottom_right : " +
           tq + ", " + tk + ", " + tv + " -> " + to + "\n  return %o : " + to +
           "\n}\n";
  ref::Attributes attrs;
  attrs.causal = true;
  attrs.alignment = ref::Alignment::BottomRight;
  c.expected = sdpaReference(attrs, ref::Mask::Kind::None, /*withLse=*/false);
  return c;
}

/// An additive mask declared [B, Hq, L, S] but passed as [B, 1, L, S]
/// expanded over heads (stride 0), with key and value the first S rows of a
/// longer KV cache and the query rows 2 apart.
Case expandedMask() {
  const int64_t b = 2, l = 33, s = 70, cache = 96, hq = 6, hkv = 3, e = 16;
  auto q = storage(npy::DType::F32);
  auto kv = storage(npy::DType::F32);
  auto mask = storage(npy::DType::F32);
  Case c;
  c.name = "gqa_f32_expanded_mask_kv_cache";
  c.views = "mask: [2, 1, 33, 70] expanded to [2, 6, 33, 70] (stride 0); "
            "k, v: rows 0..70 of a [2, 3, 96, 16] cache each; q: rows 2 apart";
  c.inputs = {view(q, {b, hq, l, e}, {hq * 2 * l * e, 2 * l * e, 2 * e, 1}, 0),
              view(kv, {b, hkv, s, e}, {hkv * cache * e, cache * e, e, 1}, 0),
              view(kv, {b, hkv, s, e}, {hkv * cache * e, cache * e, e, 1},
                   b * hkv * cache * e),
              view(mask, {b, hq, l, s}, {l * s, 0, s, 1}, 7)};
  std::string tq = tensorType({b, hq, l, e}, "f32");
  std::string tkv = tensorType({b, hkv, s, e}, "f32");
  std::string tm = tensorType({b, hq, l, s}, "f32");
  c.mlir = "func.func @main(%q: " + tq + ", %k: " + tkv + ", %v: " + tkv +
           ", %m: " + tm + ") -> " + tq +
           " {\n"
           "  %o = attn.sdpa %q, %k, %v mask(%m : " +
           tm + ") scale 0.3 : " + tq + ", " + tkv + ", " + tkv + " -> " + tq +
           "\n  return %o : " + tq + "\n}\n";
  ref::Attributes attrs;
  attrs.scale = 0.3;
  c.expected =
      sdpaReference(attrs, ref::Mask::Kind::Additive, /*withLse=*/false);
  return c;
}

/// Decode (L = 1) with a boolean padding mask [B, 1, 1, S] expanded over
/// heads and a sliding window, keys and values from a KV cache, f32.
Case decodeBoolMask() {
  const int64_t b = 3, s = 150, cache = 160, hq = 8, hkv = 2, e = 64;
  auto q = storage(npy::DType::F32);
  auto k = storage(npy::DType::F32);
  auto v = storage(npy::DType::F32);
  auto mask = storage(npy::DType::Bool);
  Case c;
  c.name = "gqa_decode_f32_bool_mask_window";
  c.views = "mask: [3, 1, 1, 150] expanded to [3, 8, 1, 150]; k, v: [B, S, "
            "H, E] caches of 160 rows permuted and sliced; q: [B, 1, H, E] "
            "permuted";
  c.inputs = {permuted(q, {b, 1, hq, e}, {0, 2, 1, 3}, 0),
              view(k, {b, hkv, s, e}, {cache * hkv * e, e, hkv * e, 1}, 0),
              view(v, {b, hkv, s, e}, {cache * hkv * e, e, hkv * e, 1}, 11),
              view(mask, {b, hq, 1, s}, {s, 0, 0, 1}, 0)};
  std::string tq = tensorType({b, hq, 1, e}, "f32");
  std::string tkv = tensorType({b, hkv, s, e}, "f32");
  std::string tm = tensorType({b, hq, 1, s}, "i1");
  std::string tlse = tensorType({b, hq, 1}, "f32");
  c.mlir = "func.func @main(%q: " + tq + ", %k: " + tkv + ", %v: " + tkv +
           ", %m: " + tm + ") -> (" + tq + ", " + tlse +
           ") {\n"
           "  %o, %lse = attn.sdpa %q, %k, %v mask(%m : " +
           tm + ") window [100, 0] align bottom_right : " + tq + ", " + tkv +
           ", " + tkv + " -> " + tq + ", " + tlse +
           "\n  return %o, %lse : " + tq + ", " + tlse + "\n}\n";
  ref::Attributes attrs;
  attrs.window = std::array<int64_t, 2>{100, 0};
  attrs.alignment = ref::Alignment::BottomRight;
  c.expected = sdpaReference(attrs, ref::Mask::Kind::Bool, /*withLse=*/true);
  return c;
}

/// Ops around the attention on views: the query transposed from [B, L, H, E]
/// (a slice of a packed [B, L, 3, H, E] projection) by linalg.transpose,
/// the key through an elementwise linalg.generic (k * k - 0.25) from a
/// permuted view, the value a KV-cache slice.
Case mixedGraph() {
  const int64_t b = 2, l = 20, s = 30, h = 4, e = 16, ev = 24;
  auto qkv = storage(npy::DType::F32);
  auto k = storage(npy::DType::F32);
  auto v = storage(npy::DType::F32);
  Case c;
  c.name = "mixed_f32_transpose_elementwise";
  c.views = "x: the q slice of a packed [2, 20, 3, 4, 16] projection; k: "
            "[B, S, H, E] permuted; v: rows 0..30 of a 40-row cache";
  c.inputs = {view(qkv, {b, l, h, e}, {l * 3 * h * e, 3 * h * e, e, 1}, 0),
              permuted(k, {b, s, h, e}, {0, 2, 1, 3}, 2),
              view(v, {b, h, s, ev}, {h * 40 * ev, 40 * ev, ev, 1}, 0)};
  std::string tx = tensorType({b, l, h, e}, "f32");
  std::string tq = tensorType({b, h, l, e}, "f32");
  std::string tk = tensorType({b, h, s, e}, "f32");
  std::string tv = tensorType({b, h, s, ev}, "f32");
  std::string to = tensorType({b, h, l, ev}, "f32");
  c.mlir =
      "#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>\n"
      "func.func @main(%x: " +
      tx + ", %k: " + tk + ", %v: " + tv + ") -> " + to +
      " {\n"
      "  %eq = tensor.empty() : " +
      tq +
      "\n"
      "  %q = linalg.transpose ins(%x : " +
      tx + ") outs(%eq : " + tq +
      ") permutation = [0, 2, 1, 3]\n"
      "  %ek = tensor.empty() : " +
      tk +
      "\n"
      "  %k2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = "
      "[\"parallel\", \"parallel\", \"parallel\", \"parallel\"]} ins(%k : " +
      tk + ") outs(%ek : " + tk +
      ") {\n"
      "  ^bb0(%a: f32, %unused: f32):\n"
      "    %c = arith.constant 0.25 : f32\n"
      "    %sq = arith.mulf %a, %a : f32\n"
      "    %r = arith.subf %sq, %c : f32\n"
      "    linalg.yield %r : f32\n"
      "  } -> " +
      tk + "\n  %o = attn.sdpa %q, %k2, %v causal align top_left : " + tq +
      ", " + tk + ", " + tv + " -> " + to + "\n  return %o : " + to + "\n}\n";
  c.expected = [=](const std::vector<ref::Tensor> &in) {
    ref::Tensor q = ref::Tensor::filled({b, h, l, e}, 0.0);
    for (int64_t i0 = 0; i0 < b; ++i0)
      for (int64_t i1 = 0; i1 < h; ++i1)
        for (int64_t i2 = 0; i2 < l; ++i2)
          for (int64_t i3 = 0; i3 < e; ++i3)
            q.data[((i0 * h + i1) * l + i2) * e + i3] =
                in[0].data[((i0 * l + i2) * h + i1) * e + i3];
    ref::Tensor key = in[1];
    for (double &x : key.data)
      x = x * x - 0.25;
    ref::Attributes attrs;
    attrs.causal = true;
    return std::vector<ref::Tensor>{
        evaluateOrDie(q, key, in[2], ref::Mask(), attrs).out};
  };
  return c;
}

/// A reshape the bufferization cannot make a view of: the key collapsed
/// from [B, H, S, E] to [B * H, S, E] while it arrives permuted from
/// [B, S, H, E], so the compiled entry copies it first (a strided copy,
/// lowered to loops); rank-3 attention without batch dims.
Case collapsedKey() {
  const int64_t b = 2, h = 2, l = 20, s = 30, e = 16;
  auto q = storage(npy::DType::F32);
  auto k = storage(npy::DType::F32);
  auto v = storage(npy::DType::F32);
  Case c;
  c.name = "collapse_f32_copied_view";
  c.views = "k: [B, S, H, E] permuted, then collapsed by the graph; q: "
            "columns 8..24 of rows of 24; v: rows 10..40 of a 50-row cache";
  c.inputs = {view(q, {b * h, l, e}, {l * 24, 24, 1}, 8),
              permuted(k, {b, s, h, e}, {0, 2, 1, 3}, 0),
              view(v, {b * h, s, e}, {50 * e, e, 1}, 10 * e)};
  std::string tq = tensorType({b * h, l, e}, "f32");
  std::string tk4 = tensorType({b, h, s, e}, "f32");
  std::string tk = tensorType({b * h, s, e}, "f32");
  c.mlir = "func.func @main(%q: " + tq + ", %k: " + tk4 + ", %v: " + tk +
           ") -> " + tq +
           " {\n"
           "  %kc = tensor.collapse_shape %k [[0, 1], [2], [3]] : " +
           tk4 + " into " + tk +
           "\n"
           "  %o = attn.sdpa %q, %kc, %v : " +
           tq + ", " + tk + ", " + tk + " -> " + tq + "\n  return %o : " + tq +
           "\n}\n";
  c.expected = [=](const std::vector<ref::Tensor> &in) {
    ref::Tensor key = in[1];
    key.shape = {b * h, s, e};
    return std::vector<ref::Tensor>{
        evaluateOrDie(in[0], key, in[2], ref::Mask(), ref::Attributes()).out};
  };
  return c;
}

/// Negative strides: the key's batches and the value's rows in reverse
/// order (the data pointer at the last of them), the query heads 3 apart.
Case reversed() {
  const int64_t b = 2, h = 3, l = 24, s = 40, e = 16;
  auto q = storage(npy::DType::F32);
  auto k = storage(npy::DType::F32);
  auto v = storage(npy::DType::F32);
  Case c;
  c.name = "negative_strides_f32";
  c.views = "k: batches reversed; v: rows reversed; q: heads 3 apart";
  c.inputs = {view(q, {b, h, l, e}, {3 * h * l * e, 3 * l * e, e, 1}, 0),
              view(k, {b, h, s, e}, {-h * s * e, s * e, e, 1}, h * s * e),
              view(v, {b, h, s, e}, {h * s * e, s * e, -e, 1}, (s - 1) * e)};
  std::string tq = tensorType({b, h, l, e}, "f32");
  std::string tkv = tensorType({b, h, s, e}, "f32");
  c.mlir = "func.func @main(%q: " + tq + ", %k: " + tkv + ", %v: " + tkv +
           ") -> " + tq + " {\n  %o = attn.sdpa %q, %k, %v : " + tq + ", " +
           tkv + ", " + tkv + " -> " + tq + "\n  return %o : " + tq + "\n}\n";
  c.expected = sdpaReference(ref::Attributes(), ref::Mask::Kind::None,
                             /*withLse=*/false);
  return c;
}

/// An elementwise op on an expanded mask: 2 * m + 1, which bufferization
/// would like to compute in place of its operand. Elements of a stride-0
/// view share memory, so the kernel must not write into its inputs (which
/// are the caller's anyway); the inputs are checked unchanged afterwards.
Case scaledMask() {
  const int64_t b = 2, h = 4, l = 24, s = 40, e = 16;
  auto q = storage(npy::DType::F32);
  auto kv = storage(npy::DType::F32);
  auto mask = storage(npy::DType::F32);
  Case c;
  c.name = "elementwise_on_expanded_mask_f32";
  c.views = "mask: [2, 1, 24, 40] expanded to [2, 4, 24, 40], scaled by the "
            "graph; k, v: one [B, S, 2, H, E] buffer";
  c.inputs = {view(q, {b, h, l, e}, {h * l * e, l * e, e, 1}, 0),
              view(kv, {b, h, s, e}, {s * 2 * h * e, e, 2 * h * e, 1}, 0),
              view(kv, {b, h, s, e}, {s * 2 * h * e, e, 2 * h * e, 1}, h * e),
              view(mask, {b, h, l, s}, {l * s, 0, s, 1}, 0)};
  std::string tq = tensorType({b, h, l, e}, "f32");
  std::string tkv = tensorType({b, h, s, e}, "f32");
  std::string tm = tensorType({b, h, l, s}, "f32");
  c.mlir = "func.func @main(%q: " + tq + ", %k: " + tkv + ", %v: " + tkv +
           ", %m: " + tm + ") -> " + tq +
           " {\n"
           "  %two = arith.constant dense<2.0> : " +
           tm + "\n  %one = arith.constant dense<1.0> : " + tm +
           "\n  %m2 = arith.mulf %m, %two : " + tm +
           "\n  %m3 = arith.addf %m2, %one : " + tm +
           "\n  %o = attn.sdpa %q, %k, %v mask(%m3 : " + tm + ") : " + tq +
           ", " + tkv + ", " + tkv + " -> " + tq + "\n  return %o : " + tq +
           "\n}\n";
  c.expected = [=](const std::vector<ref::Tensor> &in) {
    ref::Mask m;
    m.kind = ref::Mask::Kind::Additive;
    m.values = in[3];
    for (double &x : m.values.data)
      x = 2.0 * x + 1.0;
    return std::vector<ref::Tensor>{
        evaluateOrDie(in[0], in[1], in[2], m, ref::Attributes()).out};
  };
  return c;
}

/// Runs `artifact` on `inputs` (strides dropped if asked) into fresh
/// outputs filled with NaN, so that anything left unwritten fails.
bool run(rt::CpuArtifact &artifact, const std::vector<View> &inputs,
         bool dropStrides, std::vector<npy::Array> &outputs,
         rt::ThreadPool &pool, std::string &error) {
  std::vector<rt::TensorRef> in, out;
  for (const View &v : inputs)
    in.push_back(tensorRef(v, dropStrides));
  outputs.clear();
  for (const rt::TensorSpec &spec : artifact.manifest().outputs) {
    npy::Array array = npy::Array::zeros(spec.dtype, spec.shape);
    for (int64_t i = 0, e = array.numElements(); i < e; ++i)
      array.setFromDouble(i, NAN);
    outputs.push_back(std::move(array));
  }
  for (npy::Array &array : outputs)
    out.push_back({array.dtype, array.shape, {}, array.bytes.data()});
  return artifact.run(in, out, pool, error);
}

/// Compiles and checks one case; returns whether it passed.
bool check(Case &c, mlir::MLIRContext &context, std::mt19937_64 &rng,
           rt::ThreadPool &pool) {
  outs() << "case " << c.name << ": " << c.views << "\n";
  auto fail = [&](const llvm::Twine &why) {
    outs() << "  FAIL: " << why << "\n";
    return false;
  };
  for (View &v : c.inputs)
    if (v.storage->array.bytes.empty())
      v.storage->array =
          npy::randomArray(v.storage->dtype, {v.storage->size}, rng);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(c.mlir, &context);
  if (!module)
    return fail("the case's MLIR does not parse:\n" + c.mlir);
  llvm::SmallString<128> dir;
  if (llvm::sys::fs::createUniqueDirectory("sdpa-strided", dir))
    return fail("cannot create a scratch directory");
  std::string error;
  CompileOptions options;
  bool compiled =
      succeeded(compileForCpu(*module, options, std::string(dir), error));
  std::unique_ptr<rt::CpuArtifact> artifact;
  if (compiled)
    artifact = rt::CpuArtifact::load(std::string(dir), error);
  llvm::sys::fs::remove_directories(dir);
  if (!compiled || !artifact)
    return fail("cannot compile: " + error);

  std::vector<ref::Tensor> contiguous;
  for (const View &v : c.inputs)
    contiguous.push_back(gather(v));
  std::vector<ref::Tensor> expected = c.expected(contiguous);

  std::vector<std::vector<uint8_t>> before;
  for (const View &v : c.inputs)
    before.push_back(v.storage->array.bytes);
  std::vector<npy::Array> outputs;
  if (!run(*artifact, c.inputs, /*dropStrides=*/false, outputs, pool, error))
    return fail("the runtime refused the views: " + error);
  for (size_t i = 0; i < c.inputs.size(); ++i)
    if (c.inputs[i].storage->array.bytes != before[i])
      return fail("the kernel wrote into input " + llvm::Twine(i));
  if (outputs.size() != expected.size())
    return fail("the reference has " + llvm::Twine(expected.size()) +
                " results, the kernel " + llvm::Twine(outputs.size()));
  bool ok = true;
  for (size_t i = 0; i < outputs.size(); ++i) {
    double err = relativeError(outputs[i], expected[i]);
    double tolerance = toleranceFor(outputs[i].dtype);
    ok &= err <= tolerance;
    outs() << llvm::format("  result #%u rel_error=%.3g tolerance=%.0e %s\n",
                           static_cast<unsigned>(i), err, tolerance,
                           err <= tolerance ? "ok" : "FAIL");
  }

  // The control: the same pointers read as contiguous tensors must give
  // something else, or the case does not test the strides at all.
  if (!run(*artifact, c.inputs, /*dropStrides=*/true, outputs, pool, error))
    return fail("the runtime refused contiguous inputs: " + error);
  double worst = 0.0;
  for (size_t i = 0; i < outputs.size(); ++i)
    worst = std::max(worst, relativeError(outputs[i], expected[i]));
  bool detected = worst > 10 * toleranceFor(outputs[0].dtype);
  ok &= detected;
  outs() << llvm::format("  control, strides dropped: rel_error=%.3g %s\n",
                         worst, detected ? "detected" : "FAIL");
  return ok;
}

} // namespace

int main() {
  mlir::DialectRegistry registry;
  registerCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  std::mt19937_64 rng(20261123);
  rt::ThreadPool pool(2);

  std::vector<Case> cases = {packedQkv(),      permutedF16(), expandedMask(),
                             decodeBoolMask(), mixedGraph(),  collapsedKey(),
                             reversed(),       scaledMask()};
  bool ok = true;
  for (Case &c : cases)
    ok &= check(c, context, rng, pool);

  // A view whose innermost dim is not contiguous is refused by name.
  Case transposed = packedQkv();
  transposed.inputs[1] =
      permuted(storage(npy::DType::F32), {2, 2, 64, 100}, {0, 1, 3, 2}, 0);
  transposed.inputs[1].storage->array = npy::randomArray(
      npy::DType::F32, {transposed.inputs[1].storage->size}, rng);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(transposed.mlir, &context);
  llvm::SmallString<128> dir;
  std::string error;
  std::unique_ptr<rt::CpuArtifact> artifact;
  if (module && !llvm::sys::fs::createUniqueDirectory("sdpa-strided", dir) &&
      succeeded(
          compileForCpu(*module, CompileOptions(), std::string(dir), error)))
    artifact = rt::CpuArtifact::load(std::string(dir), error);
  if (!dir.empty())
    llvm::sys::fs::remove_directories(dir);
  std::vector<npy::Array> outputs;
  for (View &v : transposed.inputs)
    if (v.storage->array.bytes.empty())
      v.storage->array =
          npy::randomArray(v.storage->dtype, {v.storage->size}, rng);
  if (!artifact) {
    outs() << "FAIL: cannot compile the refusal case: " << error << "\n";
    ok = false;
  } else if (run(*artifact, transposed.inputs, false, outputs, pool, error)) {
    outs() << "FAIL: a key with innermost stride 100 was accepted\n";
    ok = false;
  } else {
    outs() << "refused: " << error << "\n";
  }

  outs() << (ok ? "all cases passed\n" : "FAIL: some cases failed\n");
  return ok ? 0 : 1;
}
