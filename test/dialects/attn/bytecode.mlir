// RUN: sdpa-opt %s -emit-bytecode | sdpa-opt | FileCheck %s

// attn.sdpa with every optional part survives a bytecode round trip.

// CHECK-LABEL: func @all_options
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} mask(%{{.*}} : tensor<1x1x16x48xi1>) causal window [8, 2] align top_left scale 2.500000e-01 softcap 3.000000e+01 dropout 2.000000e-01 seed(%{{.*}}) : tensor<1x4x16x16xf32>, tensor<1x2x48x16xf32>, tensor<1x2x48x24xf32> -> tensor<1x4x16x24xf32>, tensor<1x4x16xf32>
func.func @all_options(%q: tensor<1x4x16x16xf32>, %k: tensor<1x2x48x16xf32>,
                       %v: tensor<1x2x48x24xf32>, %m: tensor<1x1x16x48xi1>,
                       %seed: i64) -> (tensor<1x4x16x24xf32>, tensor<1x4x16xf32>) {
  %0, %1 = attn.sdpa %q, %k, %v mask(%m : tensor<1x1x16x48xi1>) causal
      window [8, 2] align top_left scale 0.25 softcap 30.0 dropout 0.2 seed(%seed)
      : tensor<1x4x16x16xf32>, tensor<1x2x48x16xf32>, tensor<1x2x48x24xf32>
      -> tensor<1x4x16x24xf32>, tensor<1x4x16xf32>
  return %0, %1 : tensor<1x4x16x24xf32>, tensor<1x4x16xf32>
}
