import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { serializeKernelSends, serializeSends } from '../../lib/src/plot/kernel-sends';

/** A socket that, like zeromq.js 6, refuses a send while the previous one is still being written. */
class BusySocket {
  written: string[] = [];
  private busy = false;
  send(message: unknown): Promise<void> {
    if (this.busy) throw Object.assign(new Error('Socket is busy writing'), { code: 'EBUSY' });
    this.busy = true;
    return new Promise((resolve) =>
      setTimeout(() => {
        this.busy = false;
        this.written.push(String(message));
        resolve();
      }, 2),
    );
  }
}

describe('plot: serialised kernel sends', () => {
  it('without it, a second send while one is in flight throws EBUSY (the tslab race)', () => {
    const socket = new BusySocket();
    void socket.send('a');
    assert.throws(() => socket.send('b'), /busy/);
  });

  it('with it, back-to-back sends all arrive, in order, per socket', async () => {
    class Patched extends BusySocket {}
    serializeSends(Patched);
    serializeSends(Patched); // idempotent
    const [one, two] = [new Patched(), new Patched()];
    const sends = ['a', 'b', 'c'].flatMap((m) => [one.send(m), two.send(m.toUpperCase())]);
    await Promise.all(sends);
    assert.deepEqual(one.written, ['a', 'b', 'c']);
    assert.deepEqual(two.written, ['A', 'B', 'C']);
  });

  it('patches the real zeromq Publisher that tslab uses (its native send is read-only)', () => {
    assert.equal(serializeKernelSends(require.resolve('tslab')), true);
    const zmq = require(require.resolve('zeromq', { paths: [path.dirname(require.resolve('tslab'))] }));
    assert.ok(Object.getOwnPropertySymbols(zmq.Publisher.prototype).length > 0);
  });

  it('a failed send rejects its own promise and does not block the next', async () => {
    class Failing {
      calls = 0;
      send(): Promise<void> {
        this.calls++;
        return this.calls === 1 ? Promise.reject(new Error('closed')) : Promise.resolve();
      }
    }
    serializeSends(Failing);
    const socket = new Failing();
    await assert.rejects(socket.send(), /closed/);
    await socket.send();
    assert.equal(socket.calls, 2);
  });
});
