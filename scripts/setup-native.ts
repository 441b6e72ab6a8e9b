/**
 * Installs the native TensorFlow backend, where the machine can download it: `npm run setup:native [-- --gpu]`.
 *
 * @tensorflow/tfjs-node(-gpu) downloads libtensorflow in its install script, so it cannot be a plain dependency of a
 * course that must install offline. The project allows that script (package.json `allowScripts`); this command
 * installs the package without saving it, then checks that the engine can really train on it.
 * The GPU package needs Linux x86_64 with CUDA 11.2 and cuDNN 8.1.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const gpu = process.argv.includes('--gpu');
const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
const root = path.resolve(__dirname, '..');
const tfjsVersion: string = require('@tensorflow/tfjs/package.json').version;

console.log(`setup-native: installing ${pkg}@${tfjsVersion} (downloads libtensorflow; needs internet)`);
try {
  execFileSync('npm', ['install', '--no-save', `${pkg}@${tfjsVersion}`], { cwd: root, stdio: 'inherit' });
} catch {
  console.error(`setup-native: installing ${pkg} failed; the course keeps working on the 'wasm' backend.`);
  process.exit(1);
}

const check = `require('@dl-course/lib').initEngine({ backend: '${gpu ? 'tensorflow-gpu' : 'tensorflow'}' })
  .catch((e) => { console.error(e.message); process.exit(1); })`;
try {
  execFileSync(process.execPath, ['-e', check], { cwd: root, stdio: 'inherit' });
  console.log(`setup-native: done. Notebooks now pick '${gpu ? 'tensorflow-gpu' : 'tensorflow'}' automatically.`);
  console.log('  (npm install/ci removes unsaved packages: run this command again after them.)');
} catch {
  process.exit(1);
}
