/**
 * Runs first when the library loads (the first import of lib/src/index.ts): stack traces through the library show
 * its TypeScript lines (the compiled files carry source maps; Node reads them only for files loaded after this), and
 * in a notebook, errors print briefly (notebook-errors.ts).
 */
import { installNotebookErrorDisplay } from './notebook-errors';

process.setSourceMapsEnabled?.(true);
installNotebookErrorDisplay();
