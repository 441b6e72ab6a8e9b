import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeBlobs, makeCircles, makeMoons, makeSpirals, makeXor } from '../../lib/src/data';

describe('data: toy 2D sets', () => {
  const makers = { makeMoons, makeCircles, makeSpirals, makeXor, makeBlobs };

  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: shapes, dtypes, balanced classes, seeded`, () => {
      const a = make({ n: 301, noise: 0.1, seed: 7 });
      assert.deepEqual(a.x.shape, [301, 2]);
      assert.equal(a.x.dtype, 'float32');
      assert.equal(a.y.dtype, 'int32');
      assert.deepEqual(a.y.shape, [301]);
      const counts = new Array(a.numClasses).fill(0);
      a.labels.forEach((l) => counts[l]++);
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `unbalanced ${counts}`);
      assert.deepEqual(Array.from(a.y.dataSync()), Array.from(a.labels));
      const b = make({ n: 301, noise: 0.1, seed: 7 });
      const c = make({ n: 301, noise: 0.1, seed: 8 });
      assert.deepEqual(Array.from(b.points), Array.from(a.points));
      assert.notDeepEqual(Array.from(c.points), Array.from(a.points));
      // Shuffled: the labels are not in class blocks.
      assert.ok(a.labels.slice(0, 20).some((l) => l !== a.labels[0]));
      tf.dispose([a.x, a.y, b.x, b.y, c.x, c.y]);
    });
  }

  it('geometry without noise: circles radii, XOR signs, moons offsets, spiral classes', () => {
    const circles = makeCircles({ n: 100, noise: 0, factor: 0.3 });
    for (let i = 0; i < 100; i++) {
      const r = Math.hypot(circles.points[2 * i], circles.points[2 * i + 1]);
      assert.ok(Math.abs(r - (circles.labels[i] === 0 ? 1 : 0.3)) < 1e-5);
    }
    const xor = makeXor({ n: 100, noise: 0 });
    for (let i = 0; i < 100; i++) {
      const differentSigns = xor.points[2 * i] * xor.points[2 * i + 1] < 0;
      assert.equal(xor.labels[i], differentSigns ? 1 : 0);
    }
    const moons = makeMoons({ n: 100, noise: 0 });
    for (let i = 0; i < 100; i++) {
      const [x, y] = [moons.points[2 * i], moons.points[2 * i + 1]];
      const r = moons.labels[i] === 0 ? Math.hypot(x, y) : Math.hypot(x - 1, y - 0.5);
      assert.ok(Math.abs(r - 1) < 1e-5);
    }
    assert.equal(makeSpirals({ n: 40, classes: 4 }).numClasses, 4);
    const blobs = makeBlobs({ n: 90, noise: 0, centers: [[5, 5], [-5, -5]] });
    assert.equal(blobs.numClasses, 2);
    assert.deepEqual([blobs.points[0], blobs.points[1]], blobs.labels[0] === 0 ? [5, 5] : [-5, -5]);
  });

  it('rejects bad options', () => {
    assert.throws(() => makeMoons({ n: 1 }), /n must be an integer >= 2/);
    assert.throws(() => makeMoons({ noise: -1 }), /noise must be >= 0/);
    assert.throws(() => makeCircles({ factor: 1.5 }), /factor must be in \(0, 1\)/);
  });
});
