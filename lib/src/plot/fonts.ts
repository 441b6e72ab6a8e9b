/**
 * Fonts for PNG rendering. resvg draws SVG text only with fonts it has loaded; vega writes
 * `font-family: sans-serif`. We load the system fonts and map the generic families to a font that
 * exists, and say clearly (once) when none exists, because the PNG then has no text.
 */
import * as fs from 'fs';
import * as path from 'path';

const FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts', '/Library/Fonts', '/System/Library/Fonts', 'C:\\Windows\\Fonts'];
const PREFERRED_SANS: Array<[family: string, fileHint: RegExp]> = [
  ['DejaVu Sans', /^DejaVuSans\.ttf$/i],
  ['Liberation Sans', /^LiberationSans-Regular\.ttf$/i],
  ['Arial', /^arial\.ttf$/i],
  ['Helvetica', /^Helvetica\.ttc$/i],
  ['Noto Sans', /^NotoSans-Regular\.ttf$/i],
];

export interface FontSetup {
  /** Generic sans-serif maps to this family; null when no preferred family was found. */
  sansSerifFamily: string | null;
  /** How many font files were found in the usual folders (and `PLOT_FONT_DIR`). */
  fontFileCount: number;
  fontDirs: string[];
}

let cached: FontSetup | null = null;
let warned = false;

function listFontFiles(dir: string, depth = 0, out: string[] = []): string[] {
  if (depth > 4 || out.length > 5000) return out;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) listFontFiles(full, depth + 1, out);
    else if (/\.(ttf|otf|ttc)$/i.test(e.name)) out.push(full);
  }
  return out;
}

/** Finds fonts once per process. `PLOT_FONT_DIR` adds a folder (e.g. a font shipped with a course). */
export function findPlotFonts(): FontSetup {
  if (cached) return cached;
  const dirs = [...(process.env.PLOT_FONT_DIR ? [process.env.PLOT_FONT_DIR] : []), ...FONT_DIRS].filter((d) =>
    fs.existsSync(d),
  );
  const files = dirs.flatMap((d) => listFontFiles(d));
  const names = new Set(files.map((f) => path.basename(f)));
  const preferred = PREFERRED_SANS.find(([, hint]) => [...names].some((n) => hint.test(n)));
  cached = { sansSerifFamily: preferred ? preferred[0] : null, fontFileCount: files.length, fontDirs: dirs };
  return cached;
}

/** Prints the no-font warning once per process; returns whether fonts exist. */
export function warnIfNoFonts(log: (msg: string) => void = (m) => process.stderr.write(m + '\n')): boolean {
  const fonts = findPlotFonts();
  if (fonts.fontFileCount === 0 && !warned) {
    warned = true;
    log(
      'plot: no font files found, so PNG charts will have no text (SVG output is unaffected). ' +
        'Install a font package (on Debian/Ubuntu: fonts-dejavu-core) or set PLOT_FONT_DIR to a folder with .ttf files.',
    );
  }
  return fonts.fontFileCount > 0;
}
