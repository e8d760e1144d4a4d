// webgpu's AddN binds every input as a storage buffer of one shader, and a device allows only
// maxStorageBuffersPerShaderStage of them (8 by default, the output included): FullGrad on a ResNet sums more bias
// gradients than that, and the stock kernel failed with an invalid pipeline ("AddNPackedProgram") and a map of
// garbage. Here the inputs are summed in chunks that fit, then the partial sums.
import { tf } from '../tf';

interface WebGpuBackendLike {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: object): void;
}

export function installWebGpuAddN(): void {
  const stock = tf.getKernel('AddN', 'webgpu');
  if (!stock || (stock as { dixwChunked?: true }).dixwChunked) return;
  const addN = stock.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const backend = args.backend as unknown as WebGpuBackendLike;
    const fits = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    let inputs = args.inputs as unknown as tf.TensorInfo[];
    const partial: tf.TensorInfo[] = [];
    while (inputs.length > fits) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < inputs.length; i += fits) {
        const chunk = inputs.slice(i, i + fits);
        if (chunk.length === 1) next.push(chunk[0]);
        else {
          const s = addN({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
          partial.push(s);
          next.push(s);
        }
      }
      inputs = next;
    }
    const out = addN({ ...args, inputs: inputs as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
    for (const p of partial) backend.disposeData(p.dataId);
    return out;
  };
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...stock, kernelFunc, dixwChunked: true } as tf.KernelConfig);
}
