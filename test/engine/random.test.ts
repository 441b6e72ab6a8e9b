import { strict as assert } from 'node:assert';
import { courseSeed, DEFAULT_SEED } from '../../lib/src/config';
import { Rng } from '../../lib/src/engine';

describe('engine: seeded randomness', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(7)));
    const b = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(7)));
    const c = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(8)));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    for (const v of a) assert.ok(v >= 0 && v < 1);
  });

  it('draws normals with the right mean and spread', () => {
    const rng = new Rng(1);
    const xs = Array.from({ length: 20000 }, () => rng.normal(3, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    assert.ok(Math.abs(mean - 3) < 0.05, `mean ${mean}`);
    assert.ok(Math.abs(sd - 2) < 0.05, `sd ${sd}`);
  });

  it('makes permutations that contain every index once', () => {
    const p = Array.from(new Rng(3).permutation(100)).sort((x, y) => x - y);
    assert.deepEqual(p, Array.from({ length: 100 }, (_, i) => i));
  });

  it('reads COURSE_SEED and rejects a non-integer', () => {
    const saved = process.env.COURSE_SEED;
    try {
      delete process.env.COURSE_SEED;
      assert.equal(courseSeed(), DEFAULT_SEED);
      process.env.COURSE_SEED = '123';
      assert.equal(courseSeed(), 123);
      process.env.COURSE_SEED = 'abc';
      assert.throws(() => courseSeed(), /COURSE_SEED must be an integer/);
    } finally {
      if (saved === undefined) delete process.env.COURSE_SEED;
      else process.env.COURSE_SEED = saved;
    }
  });

  it('refuses a non-finite seed', () => {
    assert.throws(() => new Rng(NaN), /finite/);
  });
});
