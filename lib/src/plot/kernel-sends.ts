/**
 * One message at a time on the kernel's ZeroMQ sockets.
 *
 * tslab 1.0 sends on its iopub socket without waiting for the previous send (`sock.send(...)`, promise dropped).
 * zeromq.js 6 refuses a send while another is still in flight ("Socket is busy writing", EBUSY), and tslab throws
 * that from its message handler, which kills the kernel. It happens when a large display update (a chart with its
 * PNG) is still being written as the cell ends and tslab publishes its "idle" status: seen once in a 6-minute
 * full-profile training cell. Chaining the sends of each socket keeps their order and removes the race.
 */
import * as path from 'path';

/** The part of a zeromq.js socket class this module touches. */
interface SendingClass {
  prototype: { send(message: unknown): Promise<void> };
}

const PATCHED = Symbol.for('dl-course.serializedSends');

/** Make every `send` on sockets of `socketClass` wait for the previous send on the same socket. Idempotent. */
export function serializeSends(socketClass: SendingClass): void {
  const proto = socketClass.prototype as SendingClass['prototype'] & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  const original = proto.send;
  const tails = new WeakMap<object, Promise<unknown>>();
  function send(this: object, message: unknown): Promise<void> {
    const previous = tails.get(this) ?? Promise.resolve();
    const sent = previous.then(() => original.call(this, message));
    tails.set(this, sent.catch(() => undefined)); // a failed send must not block the ones after it
    return sent;
  }
  // defineProperty, not assignment: zeromq's native `send` is read-only on the base prototype
  Object.defineProperty(proto, 'send', { value: send, writable: true, configurable: true });
  Object.defineProperty(proto, PATCHED, { value: true });
}

/** Serialise the sends of the running tslab kernel's sockets (zeromq found beside its `tslab` module). */
export function serializeKernelSends(tslabFile: string): boolean {
  try {
    const zmqPath = require.resolve('zeromq', { paths: [path.dirname(tslabFile)] });
    const zmq = require(zmqPath) as { Publisher?: SendingClass; Router?: SendingClass };
    if (!zmq.Publisher?.prototype?.send || !zmq.Router?.prototype?.send) return false;
    serializeSends(zmq.Publisher); // iopub: outputs and status
    serializeSends(zmq.Router); // shell and control replies
    return true;
  } catch {
    return false; // another tslab layout: leave it as it is
  }
}
