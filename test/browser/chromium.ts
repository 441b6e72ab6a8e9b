/**
 * Finds and launches the system Chromium for the browser tests. CHROMIUM_PATH (or CHROME_PATH) wins; otherwise the
 * usual names are looked up on PATH. Without a browser the tests skip with a message, except in CI (CI=true), where
 * a missing browser is a failure.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';
import { skipBecause } from '../skip-reasons';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
/** From DESIGN.md: what makes Chromium behave in a headless container with no network. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH ?? process.env.CHROME_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of NAMES) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The Chromium to use, or skip the test (fail in CI) when there is none. */
export function requireChromium(ctx: Mocha.Context): string {
  const found = findChromium();
  if (found) return found;
  const message = `no Chromium found (looked for ${NAMES.join(', ')} on PATH; set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true, so this is a failure`);
  skipBecause(ctx, message);
}

/** A browser with a fresh profile folder, removed on close. */
export async function launchChromium(executablePath: string): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'course-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1200, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
