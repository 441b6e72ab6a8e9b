/**
 * Training kernels that @tensorflow/tfjs-backend-wasm lacks, registered for the 'wasm' backend.
 * (Filled in by the kernels work: see registerWasmTrainingKernels.)
 */
export function registerWasmTrainingKernels(): void {
  // Registered kernels are added here module by module.
}
