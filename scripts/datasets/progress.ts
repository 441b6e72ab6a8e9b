/** A byte-count progress bar: redrawn in place on a terminal, one line per 10 % elsewhere (logs, CI). */
export class ProgressBar {
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {}

  update(done: number): void {
    if (this.quiet) return;
    const now = Date.now();
    if (this.stream.isTTY) {
      if (now - this.lastDraw < 100 && done !== this.total) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.line(done)}\x1b[K`);
    } else if (this.total) {
      const decile = Math.floor((10 * done) / this.total);
      if (decile > this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(`${this.line(done)}\n`);
      }
    }
  }

  finish(done: number): void {
    if (this.quiet) return;
    if (this.stream.isTTY) this.stream.write(`\r${this.line(done)}\x1b[K\n`);
    else if (this.lastDecile < 10) this.stream.write(`${this.line(done)}\n`);
  }

  line(done: number): string {
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = `${mb(done / seconds)} MB/s`;
    if (!this.total) return `${this.label} ${mb(done)} MB ${rate}`;
    const fraction = Math.min(1, done / this.total);
    const width = 30;
    const filled = Math.round(fraction * width);
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * fraction).toFixed(0).padStart(3)}% ${mb(done)}/${mb(this.total)} MB ${rate}`;
  }
}
