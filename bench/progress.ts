/**
 * Progress bar on stderr: a plan of N steps, each step with a fraction done. On a terminal it
 * redraws one line; otherwise it prints one line per step.
 */
export class Progress {
  private total = 1;
  private done = 0;
  private label = "";
  private fraction = 0;
  private readonly tty = process.stderr.isTTY === true;
  private readonly started = performance.now();
  private lastDraw = 0;

  plan(steps: number): void {
    this.total = Math.max(1, steps);
  }

  begin(label: string): void {
    this.label = label;
    this.fraction = 0;
    if (this.tty) this.draw(true);
    else process.stderr.write(`[${this.percent()}%] ${label}\n`);
  }

  update(fraction: number): void {
    this.fraction = Math.min(1, Math.max(0, fraction));
    if (this.tty) this.draw(false);
  }

  end(): void {
    this.done++;
    this.fraction = 0;
    if (this.tty) this.draw(true);
  }

  /** Prints a message above the bar. */
  log(message: string): void {
    if (this.tty) process.stderr.write("\r\x1b[2K");
    process.stderr.write(`${message}\n`);
    if (this.tty) this.draw(true);
  }

  finish(): void {
    if (this.tty) process.stderr.write("\r\x1b[2K");
  }

  private percent(): number {
    return Math.floor((100 * (this.done + this.fraction)) / this.total);
  }

  private draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < 80) return;
    this.lastDraw = now;
    const width = 30;
    const filled = Math.round((width * (this.done + this.fraction)) / this.total);
    const bar = "█".repeat(Math.min(width, filled)) + "░".repeat(Math.max(0, width - filled));
    const elapsed = ((now - this.started) / 1000).toFixed(0);
    const line = `${bar} ${String(this.percent()).padStart(3)}% ${elapsed.padStart(4)} s  ${this.label}`;
    const columns = process.stderr.columns ?? 100;
    process.stderr.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
  }
}
