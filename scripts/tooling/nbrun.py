"""Execute one notebook with nbclient and report, cell by cell, what happened.

Driven by scripts/tooling/run-notebook.ts. Reads one JSON job from stdin:
  {"input", "output", "cwd", "kernel", "cellTimeout", "notebookTimeout", "continueOnError",
   "maxOutputBytes", "key"}
and prints one JSON line to stdout: {"result": {...}, "signature": hmac_sha256(key, result)}.
The signature lets the caller reject a result forged by notebook code; the key travels only on stdin.
The kernel's own stdout/stderr go to a log file, never to this process's stdout.
"""
import hashlib
import hmac
import json
import os
import re
import signal
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

# tslab refuses execute requests for ~200 ms after a failing cell ("abort"); we wait and resend.
ABORT_RETRY_DELAY = 0.3
ABORT_RETRIES = 5
TRUNCATION_NOTE = '\n[output truncated: this cell printed more than {} bytes]\n'


class BoundedOutputClient(NotebookClient):
    """A NotebookClient that stops storing a cell's outputs beyond a byte budget (huge prints, runaway loops)."""

    max_output_bytes = 10 * 2**20

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get('content', {})))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if used <= self.max_output_bytes:
            self._truncated.add(cell_index)
            outs.append(nbformat.v4.new_output('stream', name='stderr',
                                               text=TRUNCATION_NOTE.format(self.max_output_bytes)))
        return None


def error_message(cell, exc):
    """The error's own words: ename/evalue when the kernel gives them, else the headline of the cell's stderr."""
    ename = getattr(exc, 'ename', '') or ''
    evalue = getattr(exc, 'evalue', '') or ''
    if evalue and ename not in ('', '<Error>'):
        return f'{ename}: {evalue}'.strip()
    stderr = ''.join(o.get('text', '') for o in cell.get('outputs', [])
                     if o.get('output_type') == 'stream' and o.get('name') == 'stderr')
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    headline = [line for line in lines if re.match(r'^([\w$.]*(Error|Exception)\b|\d+:\d+ - )', line)]
    chosen = headline[:3] or lines[-3:]
    message = ' | '.join(chosen) if chosen else (f'{ename}: {evalue}'.strip(': ') or 'cell failed')
    return message[:500]


def run(job):
    nb = nbformat.read(job['input'], as_version=4)
    client = BoundedOutputClient(
        nb,
        kernel_name=job['kernel'],
        timeout=job['cellTimeout'],
        allow_errors=False,
        shutdown_kernel='immediate',
        resources={'metadata': {'path': job['cwd']}},
    )
    client.max_output_bytes = job['maxOutputBytes']
    client._output_bytes = {}
    client._truncated = set()
    last_reply = {}
    client.on_cell_executed = lambda cell, cell_index, execute_reply: last_reply.update(reply=execute_reply)

    cells = [{'index': i, 'id': c.get('id'), 'type': c.cell_type, 'status': 'skipped', 'seconds': 0.0}
             for i, c in enumerate(nb.cells)]
    result = {'status': 'ok', 'cells': cells, 'seconds': 0.0, 'failedCell': None, 'error': None}
    start = time.monotonic()
    deadline = start + job['notebookTimeout']
    stop_reason = None

    log = open(job.get('kernelLog') or os.devnull, 'w')
    try:
        launch = {'stdout': log, 'stderr': log}
        if sys.platform.startswith('linux'):
            launch['preexec_fn'] = die_with_parent
        with client.setup_kernel(**launch):
            kill_kernel_on_sigterm(client)
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != 'code' or not cell.source.strip():
                    cells[i]['status'] = 'ok'
                    continue
                if stop_reason:
                    cells[i]['error'] = stop_reason
                    continue
                remaining = deadline - time.monotonic()
                limited_by_notebook = remaining < job['cellTimeout']
                client.timeout = max(1, int(min(job['cellTimeout'], remaining)))
                cell_start = time.monotonic()
                try:
                    for _attempt in range(ABORT_RETRIES):
                        last_reply.clear()
                        client.execute_cell(cell, i)
                        status = last_reply.get('reply', {}).get('content', {}).get('status')
                        if status not in ('abort', 'aborted'):
                            break
                        time.sleep(ABORT_RETRY_DELAY)
                    else:
                        raise RuntimeError('the kernel kept aborting this cell')
                    set_execution_count(cell, last_reply)
                    cells[i]['status'] = 'ok'
                except CellExecutionError as exc:
                    set_execution_count(cell, last_reply)
                    cells[i]['status'] = 'error'
                    cells[i]['error'] = error_message(cell, exc)
                    if not job['continueOnError']:
                        stop_reason = f'not run: cell {i} failed'
                except CellTimeoutError:
                    cells[i]['status'] = 'timeout'
                    limit = f'notebook time limit ({job["notebookTimeout"]} s)' if limited_by_notebook \
                        else f'cell time limit ({job["cellTimeout"]} s)'
                    cells[i]['error'] = f'exceeded the {limit}'
                    stop_reason = f'not run: cell {i} exceeded the {limit}'
                except DeadKernelError:
                    cells[i]['status'] = 'dead'
                    cells[i]['error'] = 'the kernel died while running this cell'
                    stop_reason = f'not run: the kernel died in cell {i}'
                finally:
                    cells[i]['seconds'] = round(time.monotonic() - cell_start, 3)
                if i in client._truncated:
                    cells[i]['truncated'] = True
    except Exception as exc:  # kernel failed to start, unreadable notebook, ...
        result['status'] = 'error'
        result['error'] = f'{type(exc).__name__}: {exc}'[:500]
    finally:
        log.close()

    result['seconds'] = round(time.monotonic() - start, 3)
    statuses = [c['status'] for c in cells]
    failed = next((c for c in cells if c['status'] in ('error', 'timeout', 'dead')), None)
    if result['status'] != 'error':
        if 'dead' in statuses:
            result['status'] = 'kernel-died'
        elif 'timeout' in statuses:
            result['status'] = 'timeout'
        elif failed:
            result['status'] = 'failed'
    if failed:
        result['failedCell'] = failed['index']
        result['error'] = failed.get('error')
    nbformat.write(nb, job['output'])
    return result


def set_execution_count(cell, last_reply):
    """tslab sends the count only in its execute reply; copy it so exports show In [n]."""
    count = last_reply.get('reply', {}).get('content', {}).get('execution_count')
    if isinstance(count, int):
        cell['execution_count'] = count


def die_with_parent():
    """Runs in the kernel process before it starts: the kernel gets SIGKILL when this driver dies, however it dies
    (tslab, unlike ipykernel, does not watch its parent), so a hard stop never leaves an orphan kernel behind."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def kill_kernel_on_sigterm(client):
    """The caller's last-resort time limit sends SIGTERM: take the kernel (its own process group) down with us."""
    def handler(_signum, _frame):
        try:
            os.killpg(client.km.provisioner.pgid, signal.SIGKILL)
        except Exception:
            pass
        os._exit(143)
    signal.signal(signal.SIGTERM, handler)


def main():
    job = json.loads(sys.stdin.readline())
    try:
        result = run(job)
    except Exception as exc:  # unreadable notebook, unwritable output, ...
        result = {'status': 'error', 'cells': [], 'seconds': 0.0, 'failedCell': None,
                  'error': f'{type(exc).__name__}: {exc}'.splitlines()[0][:500]}
    payload = json.dumps(result, sort_keys=True)
    signature = hmac.new(job['key'].encode(), payload.encode(), hashlib.sha256).hexdigest()
    sys.stdout.write(json.dumps({'result': payload, 'signature': signature}) + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
