// RUN: sdpa-opt %s --sdpa-pipeline="target=cpu vector-bits=256" --mlir-print-ir-after=attn-fold-kv-broadcast -o /dev/null 2>&1 | FileCheck %s
// RUN: sdpa-opt %s --sdpa-pipeline="target=cpu vector-bits=256 raise=false" --mlir-print-ir-after=attn-fold-kv-broadcast -o /dev/null 2>&1 | FileCheck %s --check-prefix=AS-WRITTEN
// RUN: sdpa-opt %s --sdpa-pipeline="target=nvptx raise=false" --mlir-print-ir-after=attn-fold-kv-broadcast -o /dev/null 2>&1 | FileCheck %s --check-prefix=AS-WRITTEN

// With raise=false (what sdpa-run's float64 reference compiles with) the
// graph stays as written: no attn.sdpa, the repeat and both contractions
// remain.
// AS-WRITTEN-LABEL: IR Dump After AttnFoldKVBroadcastPass
// AS-WRITTEN-NOT: attn.sdpa
// AS-WRITTEN: linalg.generic
// AS-WRITTEN-NOT: attn.sdpa

// The CPU pipeline raises unfused attention right after tosa-to-linalg and
// before --attn-fold-kv-broadcast, so a GQA graph that repeats its K/V heads
// (torch's repeat_kv) ends up reading the 2 K/V heads it was given.
// CHECK-LABEL: IR Dump After AttnFoldKVBroadcastPass
// CHECK: func.func @gqa(%[[Q:.*]]: tensor<1x4x8x16xf32>, %[[K:.*]]: tensor<1x2x8x16xf32>, %[[V:.*]]: tensor<1x2x8x16xf32>)
// CHECK: attn.sdpa %[[Q]], %[[K]], %[[V]] scale 2.500000e-01 : tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x4x8x16xf32>
#q = affine_map<(b, h, i, j, e) -> (b, h, i, e)>
#k = affine_map<(b, h, i, j, e) -> (b, h, j, e)>
#s = affine_map<(b, h, i, j, e) -> (b, h, i, j)>
#p = affine_map<(b, h, i, d, j) -> (b, h, i, j)>
#v = affine_map<(b, h, i, d, j) -> (b, h, j, d)>
#o = affine_map<(b, h, i, d, j) -> (b, h, i, d)>
#id4 = affine_map<(b, h, i, j) -> (b, h, i, j)>
#row = affine_map<(b, h, i, j) -> (b, h, i, 0)>
#rep = affine_map<(b, g, r, s, e) -> (b, g, 0, s, e)>
#id5 = affine_map<(b, g, r, s, e) -> (b, g, r, s, e)>
func.func @gqa(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %uk = tensor.expand_shape %k [[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 8, 16] : tensor<1x2x8x16xf32> into tensor<1x2x1x8x16xf32>
  %ek = tensor.empty() : tensor<1x2x2x8x16xf32>
  %bk = linalg.generic {indexing_maps = [#rep, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%uk : tensor<1x2x1x8x16xf32>) outs(%ek : tensor<1x2x2x8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<1x2x2x8x16xf32>
  %rk = tensor.collapse_shape %bk [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %uv = tensor.expand_shape %v [[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 8, 16] : tensor<1x2x8x16xf32> into tensor<1x2x1x8x16xf32>
  %bv = linalg.generic {indexing_maps = [#rep, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%uv : tensor<1x2x1x8x16xf32>) outs(%ek : tensor<1x2x2x8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<1x2x2x8x16xf32>
  %rv = tensor.collapse_shape %bv [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %es = tensor.empty() : tensor<1x4x8x8xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %s = linalg.generic {indexing_maps = [#q, #k, #s], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %rk : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) outs(%zs : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %scaled = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s : tensor<1x4x8x8xf32>) outs(%es : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 0.25 : f32
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8x8xf32>
  %er = tensor.empty() : tensor<1x4x8x1xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x4x8x1xf32>) -> tensor<1x4x8x1xf32>
  %max = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%scaled : tensor<1x4x8x8xf32>) outs(%mi : tensor<1x4x8x1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %a, %acc : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8x1xf32>
  %exp = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled, %max : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%es : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<1x4x8x8xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<1x4x8x1xf32>) -> tensor<1x4x8x1xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp : tensor<1x4x8x8xf32>) outs(%si : tensor<1x4x8x1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x1xf32>
  %prob = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp, %sum : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%es : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.divf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<1x4x8x8xf32>
  %eo = tensor.empty() : tensor<1x4x8x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %out = linalg.generic {indexing_maps = [#p, #v, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%prob, %rv : tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) outs(%zo : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x16xf32>
  return %out : tensor<1x4x8x16xf32>
}
