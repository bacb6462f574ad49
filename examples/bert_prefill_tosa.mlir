// The self-attention of one BERT encoder layer over a batch of 2 padded
// sequences of 128 tokens (hidden size 128, 4 heads of 32), written the way
// TOSA exporters produce it: Q, K and V projections as tosa.matmul, reshapes
// and transposes into heads, tosa.matmul for Q.K^T and P.V on [B*H, L, *],
// the scale and BERT's extended attention mask ((1 - mask) * -10000) added
// to the scores, softmax as reduce_max / sub / exp / reduce_sum /
// reciprocal / mul.
//
// The CPU pipeline lowers TOSA with upstream tosa-to-linalg, then raises the
// attention (everything from the two matmuls to the heads' merge) to one
// attn.sdpa with the mask as an operand; the projections stay matmuls:
//
//   sdpa-opt examples/bert_prefill_tosa.mlir --pass-pipeline="builtin.module(func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,tosa-to-tensor),attn-raise-sdpa,canonicalize)"
//   sdpa-run examples/bert_prefill_tosa.mlir --target=cpu --random=1

func.func @bert_self_attention(%hidden: tensor<2x128x128xf32>, %wq: tensor<1x128x128xf32>,
                               %wk: tensor<1x128x128xf32>, %wv: tensor<1x128x128xf32>,
                               %attention_mask: tensor<2x128xf32>) -> tensor<2x128x128xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %rows = tosa.const_shape {values = dense<[1, 256, 128]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %heads = tosa.const_shape {values = dense<[2, 128, 4, 32]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %batched = tosa.const_shape {values = dense<[8, 128, 32]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %batched_t = tosa.const_shape {values = dense<[8, 32, 128]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %scores4 = tosa.const_shape {values = dense<[2, 4, 128, 128]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %scores3 = tosa.const_shape {values = dense<[8, 128, 128]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %context4 = tosa.const_shape {values = dense<[2, 4, 128, 32]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %merged = tosa.const_shape {values = dense<[2, 128, 128]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %mask4 = tosa.const_shape {values = dense<[2, 1, 1, 128]> : tensor<4xindex>} : () -> !tosa.shape<4>

  // Projections: [2, 128, 128] -> [1, 256, 128] x [1, 128, 128].
  %x = tosa.reshape %hidden, %rows : (tensor<2x128x128xf32>, !tosa.shape<3>) -> tensor<1x256x128xf32>
  %q = tosa.matmul %x, %wq, %zp, %zp : (tensor<1x256x128xf32>, tensor<1x128x128xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x256x128xf32>
  %k = tosa.matmul %x, %wk, %zp, %zp : (tensor<1x256x128xf32>, tensor<1x128x128xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x256x128xf32>
  %v = tosa.matmul %x, %wv, %zp, %zp : (tensor<1x256x128xf32>, tensor<1x128x128xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x256x128xf32>

  // transpose_for_scores: [B, L, H, D] -> [B, H, L, D] -> [B*H, L, D]; K as
  // [B*H, D, L] for the matmul.
  %q4 = tosa.reshape %q, %heads : (tensor<1x256x128xf32>, !tosa.shape<4>) -> tensor<2x128x4x32xf32>
  %qh = tosa.transpose %q4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<2x128x4x32xf32>) -> tensor<2x4x128x32xf32>
  %q3 = tosa.reshape %qh, %batched : (tensor<2x4x128x32xf32>, !tosa.shape<3>) -> tensor<8x128x32xf32>
  %k4 = tosa.reshape %k, %heads : (tensor<1x256x128xf32>, !tosa.shape<4>) -> tensor<2x128x4x32xf32>
  %kh = tosa.transpose %k4 {perms = array<i32: 0, 2, 3, 1>} : (tensor<2x128x4x32xf32>) -> tensor<2x4x32x128xf32>
  %k3 = tosa.reshape %kh, %batched_t : (tensor<2x4x32x128xf32>, !tosa.shape<3>) -> tensor<8x32x128xf32>
  %v4 = tosa.reshape %v, %heads : (tensor<1x256x128xf32>, !tosa.shape<4>) -> tensor<2x128x4x32xf32>
  %vh = tosa.transpose %v4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<2x128x4x32xf32>) -> tensor<2x4x128x32xf32>
  %v3 = tosa.reshape %vh, %batched : (tensor<2x4x128x32xf32>, !tosa.shape<3>) -> tensor<8x128x32xf32>

  // attention_scores = Q.K^T / sqrt(32) + extended_attention_mask
  %qk = tosa.matmul %q3, %k3, %zp, %zp : (tensor<8x128x32xf32>, tensor<8x32x128xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8x128x128xf32>
  %qk4 = tosa.reshape %qk, %scores4 : (tensor<8x128x128xf32>, !tosa.shape<4>) -> tensor<2x4x128x128xf32>
  %inv_sqrt_d = "tosa.const"() <{values = dense<0.176776695> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %scaled = tosa.mul %qk4, %inv_sqrt_d, %shift : (tensor<2x4x128x128xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<2x4x128x128xf32>
  %m4 = tosa.reshape %attention_mask, %mask4 : (tensor<2x128xf32>, !tosa.shape<4>) -> tensor<2x1x1x128xf32>
  %one = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %inverted = tosa.sub %one, %m4 : (tensor<1x1x1x1xf32>, tensor<2x1x1x128xf32>) -> tensor<2x1x1x128xf32>
  %big = "tosa.const"() <{values = dense<-10000.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %extended = tosa.mul %inverted, %big, %shift : (tensor<2x1x1x128xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<2x1x1x128xf32>
  %masked = tosa.add %scaled, %extended : (tensor<2x4x128x128xf32>, tensor<2x1x1x128xf32>) -> tensor<2x4x128x128xf32>

  // softmax(attention_scores, dim=-1)
  %max = tosa.reduce_max %masked {axis = 3 : i32} : (tensor<2x4x128x128xf32>) -> tensor<2x4x128x1xf32>
  %shifted = tosa.sub %masked, %max : (tensor<2x4x128x128xf32>, tensor<2x4x128x1xf32>) -> tensor<2x4x128x128xf32>
  %exp = tosa.exp %shifted : (tensor<2x4x128x128xf32>) -> tensor<2x4x128x128xf32>
  %sum = tosa.reduce_sum %exp {axis = 3 : i32} : (tensor<2x4x128x128xf32>) -> tensor<2x4x128x1xf32>
  %rcp = tosa.reciprocal %sum : (tensor<2x4x128x1xf32>) -> tensor<2x4x128x1xf32>
  %probs = tosa.mul %exp, %rcp, %shift : (tensor<2x4x128x128xf32>, tensor<2x4x128x1xf32>, tensor<1xi8>) -> tensor<2x4x128x128xf32>

  // context = P.V, heads merged back: [B*H, L, D] -> [B, L, H*D]
  %p3 = tosa.reshape %probs, %scores3 : (tensor<2x4x128x128xf32>, !tosa.shape<3>) -> tensor<8x128x128xf32>
  %ctx = tosa.matmul %p3, %v3, %zp, %zp : (tensor<8x128x128xf32>, tensor<8x128x32xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8x128x32xf32>
  %ctx4 = tosa.reshape %ctx, %context4 : (tensor<8x128x32xf32>, !tosa.shape<4>) -> tensor<2x4x128x32xf32>
  %ctxt = tosa.transpose %ctx4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<2x4x128x32xf32>) -> tensor<2x128x4x32xf32>
  %out = tosa.reshape %ctxt, %merged : (tensor<2x128x4x32xf32>, !tosa.shape<3>) -> tensor<2x128x128xf32>
  return %out : tensor<2x128x128xf32>
}
