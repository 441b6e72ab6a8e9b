/** The hand-written SIMD routines as a reader and a tool see them: valid alone, named locals, a readable text dump. */
import { strict as assert } from 'node:assert';
import { simdRoutineDefinitions, simdRoutines } from '../../lib/src/kernels/simd/simd-module';
import { assembleModule, i32, Routine, routineText, v128 } from '../../lib/src/kernels/simd/wasm-assembler';

describe('kernels: SIMD routines (named locals, name section, validation, text)', () => {
  const definitions = simdRoutineDefinitions();

  it('every routine is a valid module on its own, for plain and shared memory', () => {
    assert.deepEqual(definitions.map((d) => d.name), [
      'adam', 'columnSums', 'transpose', 'maxPoolGrad2x2', 'batchNormSquaredDeviations', 'batchNormApply', 'batchNormGradSums', 'batchNormGradInput', 'smallMatMul', 'smallMatMulAdd',
      ...['add', 'sub', 'mul', 'div', 'min', 'max'].flatMap((op) => (['sub', 'div'].includes(op) ? [`${op}Scalar`, `${op}Row`, `${op}ScalarFirst`, `${op}RowFirst`] : [`${op}Scalar`, `${op}Row`])),
      'lstmForwardStep', 'lstmBackwardStep', 'lstmForwardStepHard', 'lstmBackwardStepHard',
    ]);
    for (const definition of definitions) {
      for (const shared of [false, true]) {
        assert.ok(WebAssembly.validate(assembleModule([definition], shared)), `${definition.name} (shared memory: ${shared}) does not validate`);
      }
    }
  });

  it('names every parameter and local, in the module name section too', () => {
    const module = new WebAssembly.Module(assembleModule(definitions, false));
    const [names] = WebAssembly.Module.customSections(module, 'name');
    assert.ok(names, 'the module has a name section');
    const text = Buffer.from(names).toString('latin1');
    for (const definition of definitions) {
      assert.equal(definition.localNames?.length, definition.params.length + definition.locals.length, `${definition.name}: a name per local`);
      for (const name of [definition.name, ...definition.localNames!]) assert.ok(text.includes(name), `${name} is in the name section`);
    }
  });

  it('prints each routine as WebAssembly text with named locals', () => {
    const forward = routineText(definitions.find((d) => d.name === 'lstmForwardStep')!);
    assert.match(forward, /^\(func \$lstmForwardStep \(param \$xw i32\) \(param \$rec i32\) \(param \$recStride i32\)/);
    assert.match(forward, /\n {2}\(local \$row i32\)\n/);
    assert.match(forward, /\n {2}\(local \$sigmoid\.log2e v128\)\n/);
    assert.match(forward, /\n {6}local\.get \$xw\n/, 'loop bodies are indented');
    for (const definition of definitions) {
      const text = routineText(definition);
      assert.doesNotMatch(text, /local\.(get|set) \d/, `${definition.name} refers to a local by number`);
      const blocks = (text.match(/^\s*(block|loop)$/gm) ?? []).length;
      assert.equal((text.match(/^\s*end$/gm) ?? []).length, blocks, `${definition.name}: every block and loop ends`);
    }
  });

  it('says by name what is wrong: a local of another routine, a duplicate, a missing argument', () => {
    const other = new Routine('other');
    const stranger = other.local('stranger', i32);
    const routine = new Routine('mine');
    routine.param('x');
    assert.throws(() => routine.body.get(stranger), /routine mine uses \$stranger, a local of routine other/);
    assert.throws(() => routine.param('x'), /mine: \$x declared twice/);
    routine.local('scratch', v128);
    assert.throws(() => routine.param('late'), /parameter \$late declared after a local/);
    const { routines } = simdRoutines(new WebAssembly.Memory({ initial: 1 }));
    assert.throws(() => routines.transpose({ x: 0, out: 64, rows: 2 } as never), /SIMD routine transpose: argument cols is undefined/);
  });

  it('runs lists of calls on helper threads over shared memory, with the same results as here', () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 64, shared: true });
    const linked = simdRoutines(memory, 1);
    assert.equal(linked.threads, 2);
    const floats = new Float32Array(memory.buffer);
    // Two 5x7 matrices at 0 and 1,024 bytes, transposed by two threads into 4,096 and 8,192.
    for (let i = 0; i < 35; i++) floats[i] = i + 1;
    for (let i = 0; i < 35; i++) floats[256 + i] = -(i + 1);
    const call = (from: number, to: number) => ({ routine: 'transpose', args: { x: from, out: to, rows: 5, cols: 7 } });
    for (let round = 0; round < 3; round++) {
      floats.fill(0, 1024, 4096);
      linked.parallel([[call(0, 4096)], [call(1024, 8192)]]);
      for (let r = 0; r < 5; r++) {
        for (let c = 0; c < 7; c++) {
          assert.equal(floats[1024 + c * 5 + r], r * 7 + c + 1, `here, round ${round}`);
          assert.equal(floats[2048 + c * 5 + r], -(r * 7 + c + 1), `helper, round ${round}`);
        }
      }
    }
    assert.throws(() => linked.parallel([[], [], []]), /3 call lists for 2 threads/);
    assert.throws(() => linked.parallel([[{ routine: 'nope', args: {} }]]), /no SIMD routine named nope/);
  });

  it('runs every list on the calling thread where the memory is not shared', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const linked = simdRoutines(memory, 3);
    assert.equal(linked.threads, 1);
    const floats = new Float32Array(memory.buffer);
    floats.set([1, 2, 3, 4], 0);
    linked.parallel([[{ routine: 'transpose', args: { x: 0, out: 64, rows: 2, cols: 2 } }], [{ routine: 'transpose', args: { x: 0, out: 128, rows: 1, cols: 4 } }]]);
    assert.deepEqual([...floats.subarray(16, 20)], [1, 3, 2, 4]);
    assert.deepEqual([...floats.subarray(32, 36)], [1, 2, 3, 4]);
  });
});
