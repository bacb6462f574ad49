// RUN: sdpa-opt %s -split-input-file -verify-diagnostics --attn-emulate-gpu-kernels

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @wide(%out: memref<4xf64>) kernel {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : i32
      %c32 = arith.constant 32 : i32
      %x = memref.load %out[%c0] : memref<4xf64>
      // expected-error @below {{'gpu.shuffle' op shuffles 'f64'; the GPU emulator shuffles 32-bit scalars only}}
      %y, %valid = gpu.shuffle xor %x, %c1, %c32 : f64
      memref.store %y, %out[%c0] : memref<4xf64>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @lanes(%out: memref<32xindex>) kernel {
      // expected-error @below {{'gpu.lane_id' op is not supported by the GPU emulator}}
      %lane = gpu.lane_id
      memref.store %lane, %out[%lane] : memref<32xindex>
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    // expected-error @below {{'gpu.func' op has workgroup or private attributions, which the GPU emulator does not support}}
    gpu.func @attributed(%out: memref<32xf32>) workgroup(%tile: memref<32xf32, #gpu.address_space<workgroup>>) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @host(%out: memref<32xf32>, %bytes: i32) {
    %c1 = arith.constant 1 : index
    // expected-error @below {{'gpu.launch_func' op has a dynamic shared memory size that is not a constant; the GPU emulator needs it at compile time}}
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1)
        threads in (%c1, %c1, %c1) dynamic_shared_memory_size %bytes
        args(%out : memref<32xf32>)
    return
  }
  gpu.module @kernels {
    gpu.func @k(%out: memref<32xf32>) kernel {
      gpu.return
    }
  }
}
