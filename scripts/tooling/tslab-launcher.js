// The TypeScript kernel's launcher, copied next to the registered kernel.json by `npm run setup`.
// Jupyter starts a kernel in its notebook's folder: this starts the tslab of the course checkout holding that folder
// (the nearest node_modules/tslab above it), so every checkout on the machine runs its own library and TypeScript
// through the one kernel named 'tslab'. A notebook outside any checkout gets the checkout that registered the kernel.
'use strict';
const fs = require('fs');
const path = require('path');

function nearestTslab(start) {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'node_modules', 'tslab', 'bin', 'tslab');
    if (fs.existsSync(bin)) return bin;
    if (path.dirname(dir) === dir) return null;
  }
}

const { fallbackTslab } = JSON.parse(fs.readFileSync(path.join(__dirname, 'launcher.json'), 'utf8'));
const tslab = nearestTslab(process.cwd()) || fallbackTslab;
if (!fs.existsSync(tslab)) {
  console.error(`tslab launcher: no node_modules/tslab above ${process.cwd()}, and ${tslab} is gone: run \`npm run setup\` in a course checkout`);
  process.exit(1);
}
process.argv.splice(1, 1, tslab);
require(tslab);
