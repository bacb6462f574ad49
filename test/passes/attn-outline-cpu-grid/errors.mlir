// RUN: sdpa-opt %s -split-input-file -verify-diagnostics --attn-outline-cpu-grid

// Grid loops are outlined after bufferization: a loop that still has shared
// outputs (tensors) is refused.
func.func @shared_outs(%t: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'scf.forall' op cannot outline a grid loop with shared outputs: bufferize first}}
  %0 = scf.forall (%i) in (8) shared_outs(%o = %t) -> (tensor<8xf32>) {
    %x = tensor.extract_slice %o[%i] [1] [1] : tensor<8xf32> to tensor<1xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %x into %o[%i] [1] [1] : tensor<1xf32> into tensor<8xf32>
    }
  }
  return %0 : tensor<8xf32>
}
