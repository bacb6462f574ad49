// A grouped-query, causal prefill step as a model engineer writes it with the
// attn dialect: 8 query heads share 2 key/value heads (each K/V head serves a
// group of 4), a batch of 2 sequences of 100 tokens, head dim 64, and the
// log-sum-exp returned beside the output (as a backward pass or a split-K
// combine needs it).
//
//   sdpa-opt examples/gqa_causal.mlir            verify and print
//   sdpa-run examples/gqa_causal.mlir --random=1 evaluate on random inputs

func.func @attention(%query: tensor<2x8x100x64xf32>,
                     %key: tensor<2x2x100x64xf32>,
                     %value: tensor<2x2x100x64xf32>)
    -> (tensor<2x8x100x64xf32>, tensor<2x8x100xf32>) {
  %out, %lse = attn.sdpa %query, %key, %value causal align top_left
      : tensor<2x8x100x64xf32>, tensor<2x2x100x64xf32>, tensor<2x2x100x64xf32>
      -> tensor<2x8x100x64xf32>, tensor<2x8x100xf32>
  return %out, %lse : tensor<2x8x100x64xf32>, tensor<2x8x100xf32>
}
