/**
 * HTTP(S) download to `<dest>.part` with resume (HTTP Range), retries after a dropped connection, verification,
 * and a rename to `<dest>` only once the file is verified: a half file never sits under the final name.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { ProgressBar } from './progress';
import { verifyAgainst } from './verify';

export interface DownloadOptions {
  /** Exact size if known: used for resume decisions and verification. */
  size?: number;
  sha256?: string[];
  md5?: string;
  /** Attempts after the first one when the connection drops (default 5). */
  retries?: number;
  /** Wait before a retry, times the attempt number (default 1000 ms). */
  retryDelayMs?: number;
  /** Socket inactivity timeout (default 30 s). */
  timeoutMs?: number;
  label?: string;
  quiet?: boolean;
  log?: (line: string) => void;
}

/** A failure worth retrying (the connection dropped or stalled), as opposed to a 404 or a bad checksum. */
class TransientError extends Error {}

/** Download `url` to `dest`, resuming a `.part` left by an earlier run. Throws with the URL and the reason. */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<void> {
  const part = `${dest}.part`;
  const retries = options.retries ?? 5;
  const log = options.log ?? ((line: string) => console.error(line));
  for (let attempt = 0; ; attempt++) {
    const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
    if (options.size !== undefined && have > options.size) fs.rmSync(part);
    if (options.size !== undefined && have === options.size) break;
    try {
      await fetchInto(url, part, have > (options.size ?? Infinity) ? 0 : have, options);
      break;
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= retries) {
        throw new Error(`download of ${url} failed: ${(error as Error).message}`);
      }
      const got = fs.existsSync(part) ? fs.statSync(part).size : 0;
      log(`${options.label ?? url}: ${(error as Error).message}; resuming at byte ${got.toLocaleString('en-US')} (retry ${attempt + 1} of ${retries})`);
      await new Promise((resolve) => setTimeout(resolve, (options.retryDelayMs ?? 1000) * (attempt + 1)));
    }
  }
  const problem = await verifyAgainst(part, options);
  if (problem) {
    fs.rmSync(part); // a complete but wrong file cannot be resumed into a right one
    throw new Error(`downloaded ${url} but it is not the expected file (${problem}); the partial file was deleted`);
  }
  fs.renameSync(part, dest);
}

function fetchInto(url: string, part: string, offset: number, options: DownloadOptions, redirects = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'dl-course-datasets' };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    const request = client.get(url, { headers }, (response) => {
      const status = response.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status) && response.headers.location) {
        response.resume();
        if (redirects >= 5) return reject(new Error('too many redirects'));
        const next = new URL(response.headers.location, url).toString();
        return fetchInto(next, part, offset, options, redirects + 1).then(resolve, reject);
      }
      if (status === 416 && offset > 0) {
        // The server says our .part is already complete (or longer than the file): let verification decide.
        response.resume();
        return resolve();
      }
      if (status !== 200 && status !== 206) {
        response.resume();
        const error = new Error(`HTTP ${status} ${response.statusMessage ?? ''}`.trim());
        return reject(status >= 500 ? new TransientError(error.message) : error);
      }
      // A 200 answer to a Range request is the whole file: start the .part again.
      const start = status === 206 ? offset : 0;
      if (status === 206) {
        const range = /^bytes (\d+)-/.exec(String(response.headers['content-range'] ?? ''));
        if (!range || Number(range[1]) !== offset) {
          response.resume();
          return reject(new Error(`server answered Range bytes=${offset}- with Content-Range "${response.headers['content-range']}"`));
        }
      }
      const length = Number(response.headers['content-length'] ?? NaN);
      const total = options.size ?? (Number.isFinite(length) ? start + length : undefined);
      const bar = new ProgressBar(options.label ?? url, total, process.stderr, options.quiet);
      const out = fs.createWriteStream(part, { flags: start > 0 ? 'a' : 'w' });
      let received = start;
      let finished = false;
      const fail = (error: Error) => {
        if (finished) return;
        finished = true;
        out.end(() => reject(error));
      };
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        bar.update(received);
      });
      response.on('aborted', () => fail(new TransientError(`connection lost after ${received.toLocaleString('en-US')} bytes`)));
      response.on('error', (e) => fail(new TransientError(`connection error after ${received.toLocaleString('en-US')} bytes (${e.message})`)));
      response.on('close', () => {
        if (!response.complete) fail(new TransientError(`connection lost after ${received.toLocaleString('en-US')} bytes`));
      });
      response.pipe(out, { end: false });
      response.on('end', () => {
        if (finished) return;
        if (Number.isFinite(length) && received - start < length) {
          return fail(new TransientError(`connection closed after ${received.toLocaleString('en-US')} bytes`));
        }
        finished = true;
        bar.finish(received);
        out.end(() => resolve());
      });
      out.on('error', (e) => fail(e));
    });
    request.setTimeout(options.timeoutMs ?? 30000, () => request.destroy(new TransientError('no data for too long')));
    request.on('error', (e: NodeJS.ErrnoException) => {
      const transient = e instanceof TransientError || ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'].includes(e.code ?? '');
      reject(transient ? new TransientError(e.message) : e);
    });
  });
}
