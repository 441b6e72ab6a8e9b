import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { SequenceTaskData, makeSequenceTask, sequenceTaskTarget } from '../../lib/src/data';

function rows(values: Int32Array, length: number): number[][] {
  return Array.from({ length: values.length / length }, (_, i) => Array.from(values.slice(i * length, (i + 1) * length)));
}

function disposeTask(data: SequenceTaskData): void {
  tf.dispose([data.train.x, data.train.y, data.test.x, data.test.y]);
}

describe('data: synthetic sequence tasks', () => {
  it('the targets: reverse and sort', () => {
    assert.deepEqual(sequenceTaskTarget('reverse', [3, 1, 2, 2]), [2, 2, 1, 3]);
    assert.deepEqual(sequenceTaskTarget('sort', [3, 1, 2, 2]), [1, 2, 2, 3]);
    assert.throws(() => sequenceTaskTarget('rotate' as 'sort', [1]), /unknown sequence task 'rotate'/);
  });

  for (const task of ['reverse', 'sort'] as const) {
    it(`${task}: shapes, int32 ids in [1, symbols], targets computed from the inputs`, () => {
      const data = makeSequenceTask({ task, length: 6, symbols: 5, train: 300, test: 100, seed: 3 });
      assert.equal(data.vocabSize, 6);
      for (const [split, n] of [[data.train, 300], [data.test, 100]] as const) {
        assert.deepEqual(split.x.shape, [n, 6]);
        assert.deepEqual(split.y.shape, [n, 6]);
        assert.equal(split.x.dtype, 'int32');
        assert.equal(split.y.dtype, 'int32');
        assert.equal(split.size, n);
        assert.deepEqual(Array.from(split.x.dataSync()), Array.from(split.inputs));
        assert.deepEqual(Array.from(split.y.dataSync()), Array.from(split.targets));
        assert.ok(split.inputs.every((t) => t >= 1 && t <= 5), 'ids are 1..symbols (0 is padding)');
        const inputs = rows(split.inputs, 6);
        rows(split.targets, 6).forEach((target, i) => assert.deepEqual(target, sequenceTaskTarget(task, inputs[i])));
      }
      disposeTask(data);
    });
  }

  it('no sequence repeats, and no test sequence occurs in training', () => {
    // 3^5 = 243 sequences: 100 drawn leave many collisions to avoid
    const data = makeSequenceTask({ task: 'reverse', length: 5, symbols: 3, train: 90, test: 30, seed: 1 });
    const train = rows(data.train.inputs, 5).map((r) => r.join());
    const test = rows(data.test.inputs, 5).map((r) => r.join());
    assert.equal(new Set(train).size, 90);
    assert.equal(new Set(test).size, 30);
    assert.ok(test.every((s) => !train.includes(s)));
    disposeTask(data);
  });

  it('is seeded: the same seed gives the same data, another seed other data; every symbol occurs', () => {
    const make = (seed: number) => makeSequenceTask({ task: 'sort', length: 8, symbols: 10, train: 200, test: 50, seed });
    const [a, b, c] = [make(5), make(5), make(6)];
    assert.deepEqual(Array.from(b.train.inputs), Array.from(a.train.inputs));
    assert.deepEqual(Array.from(b.test.inputs), Array.from(a.test.inputs));
    assert.notDeepEqual(Array.from(c.train.inputs), Array.from(a.train.inputs));
    assert.equal(new Set(a.train.inputs).size, 10);
    [a, b, c].forEach(disposeTask);
  });

  it('rejects bad options', () => {
    assert.throws(() => makeSequenceTask({ task: 'reverse', length: 1 }), /length must be an integer >= 2/);
    assert.throws(() => makeSequenceTask({ task: 'reverse', symbols: 2.5 }), /symbols must be an integer >= 2/);
    assert.throws(() => makeSequenceTask({ task: 'reverse', length: 3, symbols: 3, train: 10, test: 10 }), /only 27 distinct ones/);
    assert.throws(() => makeSequenceTask({ task: 'shuffle' as 'sort' }), /unknown sequence task 'shuffle'/);
  });
});
