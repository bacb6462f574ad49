// One decode step of LLaMA-style grouped-query attention, written the way
// torch-mlir exports HF's LlamaAttention (eager path) to linalg on tensors:
// 8 query heads share 2 key/value heads (repeat_kv materialises the repeat),
// one new token attends to a 64-token cache, a boolean padding mask (true =
// real token) becomes an additive -inf bias, the softmax runs in f32.
//
// The CPU pipeline raises the whole graph to one attn.sdpa, folds the
// repeat_kv away (the kernel reads the 2 cached heads directly) and compiles:
//
//   sdpa-opt examples/llama_gqa_decode.mlir -attn-raise-sdpa -attn-fold-kv-broadcast -canonicalize
//   sdpa-run examples/llama_gqa_decode.mlir --target=cpu --random=1

func.func @llama_decode_step(%query: tensor<2x8x1x64xf16>, %key_cache: tensor<2x2x64x64xf16>, %value_cache: tensor<2x2x64x64xf16>, %attention_mask: tensor<2x64xi1>) -> tensor<2x8x1x64xf16> {
  // repeat_kv: x[:, :, None, :, :].expand(b, hkv, n_rep, s, d).reshape(b, hkv * n_rep, s, d)
  %ex1 = tensor.expand_shape %key_cache [[0], [1, 2], [3], [4]] output_shape [2, 2, 1, 64, 64] : tensor<2x2x64x64xf16> into tensor<2x2x1x64x64xf16>
  %e2 = tensor.empty() : tensor<2x2x4x64x64xf16>
  %expand3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%ex1 : tensor<2x2x1x64x64xf16>) outs(%e2 : tensor<2x2x4x64x64xf16>) {
    ^bb0(%a0: f16, %acc: f16):
      linalg.yield %a0 : f16
    } -> tensor<2x2x4x64x64xf16>
  %cl4 = tensor.collapse_shape %expand3 [[0], [1, 2], [3], [4]] : tensor<2x2x4x64x64xf16> into tensor<2x8x64x64xf16>
  %ex5 = tensor.expand_shape %value_cache [[0], [1, 2], [3], [4]] output_shape [2, 2, 1, 64, 64] : tensor<2x2x64x64xf16> into tensor<2x2x1x64x64xf16>
  %e6 = tensor.empty() : tensor<2x2x4x64x64xf16>
  %expand7 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%ex5 : tensor<2x2x1x64x64xf16>) outs(%e6 : tensor<2x2x4x64x64xf16>) {
    ^bb0(%a0: f16, %acc: f16):
      linalg.yield %a0 : f16
    } -> tensor<2x2x4x64x64xf16>
  %cl8 = tensor.collapse_shape %expand7 [[0], [1, 2], [3], [4]] : tensor<2x2x4x64x64xf16> into tensor<2x8x64x64xf16>
  // key_states.transpose(2, 3)
  %e9 = tensor.empty() : tensor<2x8x64x64xf16>
  %transpose10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%cl4 : tensor<2x8x64x64xf16>) outs(%e9 : tensor<2x8x64x64xf16>) {
    ^bb0(%a0: f16, %acc: f16):
      linalg.yield %a0 : f16
    } -> tensor<2x8x64x64xf16>
  // torch.matmul(query_states, key_states.transpose(2, 3)): batch dims collapsed
  %cl11 = tensor.collapse_shape %query [[0, 1], [2], [3]] : tensor<2x8x1x64xf16> into tensor<16x1x64xf16>
  %cl12 = tensor.collapse_shape %transpose10 [[0, 1], [2], [3]] : tensor<2x8x64x64xf16> into tensor<16x64x64xf16>
  %cst13 = arith.constant 0.0 : f16
  %e14 = tensor.empty() : tensor<16x1x64xf16>
  %fill15 = linalg.fill ins(%cst13 : f16) outs(%e14 : tensor<16x1x64xf16>) -> tensor<16x1x64xf16>
  %bmm16 = linalg.batch_matmul ins(%cl11, %cl12 : tensor<16x1x64xf16>, tensor<16x64x64xf16>) outs(%fill15 : tensor<16x1x64xf16>) -> tensor<16x1x64xf16>
  %ex17 = tensor.expand_shape %bmm16 [[0, 1], [2], [3]] output_shape [2, 8, 1, 64] : tensor<16x1x64xf16> into tensor<2x8x1x64xf16>
  // / math.sqrt(head_dim)
  %e18 = tensor.empty() : tensor<2x8x1x64xf16>
  %div19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ex17 : tensor<2x8x1x64xf16>) outs(%e18 : tensor<2x8x1x64xf16>) {
    ^bb0(%a0: f16, %acc: f16):
      %c = arith.constant 8.000000e+00 : f64
      %t = arith.truncf %c : f64 to f16
      %d = arith.divf %a0, %t : f16
      linalg.yield %d : f16
    } -> tensor<2x8x1x64xf16>
  // attn_bias.masked_fill_(attention_mask.logical_not(), -inf); attn_weights += attn_bias
  %e20 = tensor.empty() : tensor<2x64xi1>
  %not21 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%attention_mask : tensor<2x64xi1>) outs(%e20 : tensor<2x64xi1>) {
    ^bb0(%a0: i1, %acc: i1):
      %t = arith.constant true
      %n = arith.xori %a0, %t : i1
      linalg.yield %n : i1
    } -> tensor<2x64xi1>
  %e22 = tensor.empty() : tensor<2x1x1x64xf16>
  %bias23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%not21 : tensor<2x64xi1>) outs(%e22 : tensor<2x1x1x64xf16>) {
    ^bb0(%a0: i1, %acc: f16):
      %z = arith.constant 0.000000e+00 : f16
      %ninf = arith.constant 0xFC00 : f16
      %b = arith.select %a0, %ninf, %z : f16
      linalg.yield %b : f16
    } -> tensor<2x1x1x64xf16>
  %e24 = tensor.empty() : tensor<2x8x1x64xf16>
  %add25 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%div19, %bias23 : tensor<2x8x1x64xf16>, tensor<2x1x1x64xf16>) outs(%e24 : tensor<2x8x1x64xf16>) {
    ^bb0(%a0: f16, %a1: f16, %acc: f16):
      %a = arith.addf %a0, %a1 : f16
      linalg.yield %a : f16
    } -> tensor<2x8x1x64xf16>
  // nn.functional.softmax(attn_weights, dim=-1, dtype=torch.float32).to(query_states.dtype)
  %e26 = tensor.empty() : tensor<2x8x1x64xf32>
  %to_f3227 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%add25 : tensor<2x8x1x64xf16>) outs(%e26 : tensor<2x8x1x64xf32>) {
    ^bb0(%a0: f16, %acc: f32):
      %x = arith.extf %a0 : f16 to f32
      linalg.yield %x : f32
    } -> tensor<2x8x1x64xf32>
  %cst28 = arith.constant 0xFF800000 : f32
  %e29 = tensor.empty() : tensor<2x8x1x1xf32>
  %fill30 = linalg.fill ins(%cst28 : f32) outs(%e29 : tensor<2x8x1x1xf32>) -> tensor<2x8x1x1xf32>
  %max31 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%to_f3227 : tensor<2x8x1x64xf32>) outs(%fill30 : tensor<2x8x1x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %m = arith.maximumf %a0, %acc : f32
      linalg.yield %m : f32
    } -> tensor<2x8x1x1xf32>
  %e32 = tensor.empty() : tensor<2x8x1x64xf32>
  %sub33 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%to_f3227, %max31 : tensor<2x8x1x64xf32>, tensor<2x8x1x1xf32>) outs(%e32 : tensor<2x8x1x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %s = arith.subf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x8x1x64xf32>
  %e34 = tensor.empty() : tensor<2x8x1x64xf32>
  %exp35 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub33 : tensor<2x8x1x64xf32>) outs(%e34 : tensor<2x8x1x64xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %x = math.exp %a0 : f32
      linalg.yield %x : f32
    } -> tensor<2x8x1x64xf32>
  %cst36 = arith.constant 0.0 : f32
  %e37 = tensor.empty() : tensor<2x8x1x1xf32>
  %fill38 = linalg.fill ins(%cst36 : f32) outs(%e37 : tensor<2x8x1x1xf32>) -> tensor<2x8x1x1xf32>
  %sum39 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp35 : tensor<2x8x1x64xf32>) outs(%fill38 : tensor<2x8x1x1xf32>) {
    ^bb0(%a0: f32, %acc: f32):
      %s = arith.addf %a0, %acc : f32
      linalg.yield %s : f32
    } -> tensor<2x8x1x1xf32>
  %e40 = tensor.empty() : tensor<2x8x1x64xf32>
  %p41 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp35, %sum39 : tensor<2x8x1x64xf32>, tensor<2x8x1x1xf32>) outs(%e40 : tensor<2x8x1x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %acc: f32):
      %d = arith.divf %a0, %a1 : f32
      linalg.yield %d : f32
    } -> tensor<2x8x1x64xf32>
  %e42 = tensor.empty() : tensor<2x8x1x64xf16>
  %to_f1643 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%p41 : tensor<2x8x1x64xf32>) outs(%e42 : tensor<2x8x1x64xf16>) {
    ^bb0(%a0: f32, %acc: f16):
      %x = arith.truncf %a0 : f32 to f16
      linalg.yield %x : f16
    } -> tensor<2x8x1x64xf16>
  // torch.matmul(attn_weights, value_states)
  %cl44 = tensor.collapse_shape %to_f1643 [[0, 1], [2], [3]] : tensor<2x8x1x64xf16> into tensor<16x1x64xf16>
  %cl45 = tensor.collapse_shape %cl8 [[0, 1], [2], [3]] : tensor<2x8x64x64xf16> into tensor<16x64x64xf16>
  %cst46 = arith.constant 0.0 : f16
  %e47 = tensor.empty() : tensor<16x1x64xf16>
  %fill48 = linalg.fill ins(%cst46 : f16) outs(%e47 : tensor<16x1x64xf16>) -> tensor<16x1x64xf16>
  %bmm49 = linalg.batch_matmul ins(%cl44, %cl45 : tensor<16x1x64xf16>, tensor<16x64x64xf16>) outs(%fill48 : tensor<16x1x64xf16>) -> tensor<16x1x64xf16>
  %ex50 = tensor.expand_shape %bmm49 [[0, 1], [2], [3]] output_shape [2, 8, 1, 64] : tensor<16x1x64xf16> into tensor<2x8x1x64xf16>
  return %ex50 : tensor<2x8x1x64xf16>
}
