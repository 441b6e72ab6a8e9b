/**
 * Load and save TF.js models from/to the local disk in Node with the pure-JS packages: `file://` URLs only work
 * when tfjs-node is installed, which this course cannot assume.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

const WEIGHTS_FILE = 'weights.bin';

/**
 * An IOHandler for a `model.json` path: `load()` reads the topology and its weight shards (layers or graph format);
 * `save()` writes `model.json` plus one `weights.bin` next to it, creating the folder if needed.
 *
 * @example
 * const model = await tf.loadLayersModel(fileSystemHandler(`${dir}/model.json`));
 * await model.save(fileSystemHandler('/tmp/my-model/model.json'));
 */
export function fileSystemHandler(modelJsonPath: string): tf.io.IOHandler {
  const dir = path.dirname(modelJsonPath);
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(await fs.readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (error) {
        throw new Error(`cannot read model ${modelJsonPath}: ${(error as Error).message}`);
      }
      if (modelJson.modelTopology == null) throw new Error(`${modelJsonPath} has no modelTopology`);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => readWeights(dir, manifest));
    },

    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('binary model topologies are not supported');
      await fs.mkdir(dir, { recursive: true });
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }];
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        weightsManifest: manifest,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        trainingConfig: artifacts.trainingConfig,
        signature: artifacts.signature,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        modelInitializer: artifacts.modelInitializer,
      };
      await fs.writeFile(path.join(dir, WEIGHTS_FILE), Buffer.from(weightData));
      await fs.writeFile(modelJsonPath, JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Read every shard named in the manifest, in order, into one buffer with the matching weight specs. */
async function readWeights(
  dir: string,
  manifest: tf.io.WeightsManifestConfig,
): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of manifest) {
    specs.push(...group.weights);
    const shards: { file: string; bytes: number }[] = [];
    for (const shard of group.paths) {
      const file = path.join(dir, shard);
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(file);
      } catch (error) {
        throw new Error(`cannot read weight shard ${file}: ${(error as Error).message}`);
      }
      shards.push({ file, bytes: bytes.byteLength });
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
    checkShardSizes(group.weights, shards);
  }
  return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/**
 * A truncated or padded shard would otherwise fail later with a bare size mismatch; name the file instead. Shards
 * are cut at one size, so the suspect is the first shard (before the last) whose size differs from the first's,
 * else the last one.
 */
function checkShardSizes(weights: tf.io.WeightsManifestEntry[], shards: { file: string; bytes: number }[]): void {
  let expected = 0;
  for (const w of weights) {
    const dtype = w.quantization?.dtype ?? w.dtype;
    const size = BYTES_PER_ELEMENT[dtype];
    if (size === undefined) return; // strings have no fixed size
    expected += size * w.shape.reduce((a, b) => a * b, 1);
  }
  const actual = shards.reduce((n, s) => n + s.bytes, 0);
  if (actual === expected) return;
  const odd = shards.findIndex((s, i) => i < shards.length - 1 && s.bytes !== shards[0].bytes);
  const suspect = shards[odd >= 0 ? odd : shards.length - 1];
  throw new Error(
    `corrupt weight shard ${suspect.file} (${suspect.bytes} bytes): the model's weights need ${expected} bytes in all but its shards hold ${actual}`,
  );
}
