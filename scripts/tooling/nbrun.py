"""Execute one notebook with nbclient and report, cell by cell, what happened.

Driven by scripts/tooling/run-notebook.ts. Reads one JSON job from stdin:
  {"input", "output", "cwd", "kernel", "cellTimeout", "notebookTimeout", "continueOnError",
   "maxOutputBytes", "key"}
and prints one JSON line to stdout: {"result": {...}, "signature": hmac_sha256(key, result)}.
The signature lets the caller reject a result forged by notebook code; the key travels only on stdin.
The kernel's own stdout/stderr go to a log file, never to this process's stdout. As each code cell starts, one line
"@cell {"index": i, "codeCell": k, "codeCells": n}" goes to stderr (k counts code cells from 1, as Jupyter's In [k]),
so the caller can show progress; it carries no result.

Grading (scripts/tooling/grading/sandbox.ts) runs this driver inside the submission's sandbox and trusts nothing it
says: the job then carries the notebook itself ("notebook" instead of "input"), "output" is null and the executed
notebook comes back in the JSON line ("notebook"). With "morePhases": true, after the first line the driver reads
one more JSON line from stdin, {"cells": [...]}, runs those cells in the same kernel and prints a second line with
their executed copies: the grader sends hidden checks only after it has read everything the first phase produced.
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


def run(job, emit):
    if job.get('notebook') is not None:
        nb = nbformat.reads(json.dumps(job['notebook']), as_version=4)
    else:
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

    cells = [cell_entry(i, c) for i, c in enumerate(nb.cells)]
    result = {'status': 'ok', 'cells': cells, 'seconds': 0.0, 'failedCell': None, 'error': None}
    start = time.monotonic()
    deadline = start + job['notebookTimeout']
    state = {'stop': None}

    def run_cells(first):
        code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == 'code']
        for i in range(first, len(nb.cells)):
            if i in code_cells and nb.cells[i].source.strip() and not state['stop']:
                progress = {'index': i, 'codeCell': code_cells.index(i) + 1, 'codeCells': len(code_cells)}
                sys.stderr.write('@cell ' + json.dumps(progress) + '\n')
                sys.stderr.flush()
            run_cell(client, nb.cells[i], i, cells[i], job, deadline, state, last_reply)

    log = open(job.get('kernelLog') or os.devnull, 'w')
    phase_start = 0
    try:
        launch = {'stdout': log, 'stderr': log}
        if sys.platform.startswith('linux'):
            launch['preexec_fn'] = die_with_parent
        with client.setup_kernel(**launch):
            kill_kernel_on_sigterm(client)
            run_cells(0)
            if job.get('morePhases'):
                finish(result, cells, start)
                emit(result, nb, 0)
                more = json.loads(sys.stdin.readline() or '{"cells": []}')
                phase_start = len(nb.cells)
                added = nbformat.reads(json.dumps({'nbformat': 4, 'nbformat_minor': 5, 'metadata': {},
                                                   'cells': more.get('cells', [])}), as_version=4)
                for cell in added.cells:
                    nb.cells.append(cell)
                    cells.append(cell_entry(len(nb.cells) - 1, cell))
                run_cells(phase_start)
    except Exception as exc:  # kernel failed to start, unreadable notebook, ...
        result['status'] = 'error'
        result['error'] = f'{type(exc).__name__}: {exc}'[:500]
    finally:
        log.close()
    finish(result, cells, start)
    if job.get('output'):
        nbformat.write(nb, job['output'])
    return result, nb, phase_start


def cell_entry(i, cell):
    return {'index': i, 'id': cell.get('id'), 'type': cell.cell_type, 'status': 'skipped', 'seconds': 0.0}


def run_cell(client, cell, i, entry, job, deadline, state, last_reply):
    if cell.cell_type != 'code' or not cell.source.strip():
        entry['status'] = 'ok'
        return
    if state['stop']:
        entry['error'] = state['stop']
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        # the limit ran out before this cell (e.g. during a slow kernel start): the notebook did not finish
        entry['status'] = 'timeout'
        entry['error'] = f'not run: the notebook time limit ({job["notebookTimeout"]} s) was reached'
        state['stop'] = entry['error']
        return
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
        entry['status'] = 'ok'
    except CellExecutionError as exc:
        set_execution_count(cell, last_reply)
        entry['status'] = 'error'
        entry['error'] = error_message(cell, exc)
        if not job['continueOnError']:
            state['stop'] = f'not run: cell {i} failed'
    except CellTimeoutError:
        entry['status'] = 'timeout'
        limit = f'notebook time limit ({job["notebookTimeout"]} s)' if limited_by_notebook \
            else f'cell time limit ({job["cellTimeout"]} s)'
        entry['error'] = f'exceeded the {limit}'
        state['stop'] = f'not run: cell {i} exceeded the {limit}'
    except DeadKernelError:
        entry['status'] = 'dead'
        entry['error'] = 'the kernel died while running this cell'
        state['stop'] = f'not run: the kernel died in cell {i}'
    finally:
        entry['seconds'] = round(time.monotonic() - cell_start, 3)
    if i in client._truncated:
        entry['truncated'] = True


def finish(result, cells, start):
    """Overall status, first failing cell and total time, from the cells' own statuses."""
    result['seconds'] = round(time.monotonic() - start, 3)
    statuses = [c['status'] for c in cells]
    failed = next((c for c in cells if c['status'] in ('error', 'timeout', 'dead')), None)
    if result['status'] != 'error':
        result['status'] = 'kernel-died' if 'dead' in statuses else 'timeout' if 'timeout' in statuses \
            else 'failed' if failed else 'ok'
    if failed:
        result['failedCell'] = failed['index']
        result['error'] = failed.get('error')


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


def log_tail(file, size=16384):
    try:
        with open(file, 'rb') as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            return f.read().decode('utf-8', 'replace')
    except Exception:
        return ''


def main():
    job = json.loads(sys.stdin.readline())

    def emit(result, nb, first_cell):
        payload = json.dumps(result, sort_keys=True)
        signature = hmac.new(job['key'].encode(), payload.encode(), hashlib.sha256).hexdigest()
        line = {'result': payload, 'signature': signature}
        if not job.get('output'):
            line['notebook'] = nbformat.from_dict({**nb, 'cells': nb.cells[first_cell:]})
            line['kernelLog'] = log_tail(job.get('kernelLog'))
        sys.stdout.write(json.dumps(line) + '\n')
        sys.stdout.flush()

    try:
        result, nb, first_cell = run(job, emit)
    except Exception as exc:  # unreadable notebook, unwritable output, ...
        result = {'status': 'error', 'cells': [], 'seconds': 0.0, 'failedCell': None,
                  'error': f'{type(exc).__name__}: {exc}'.splitlines()[0][:500]}
        nb, first_cell = nbformat.v4.new_notebook(), 0
    emit(result, nb, first_cell)


if __name__ == '__main__':
    main()
