/**
 * Charts drawn with uPlot (bundled at build time): a live chart that appends one sample per
 * poll, and a static one for the daily history.
 * @module
 */
import uPlot from "uplot";

/** A chart whose series grow by one point per {@link LiveChart.push}. */
export class LiveChart {
  private readonly plot: uPlot;
  private readonly data: number[][];
  private readonly max: number;

  constructor(target: HTMLElement, title: string, labels: string[], colors: string[], max = 150) {
    this.max = max;
    this.data = [[], ...labels.map(() => [])];
    this.plot = new uPlot(
      {
        title,
        width: Math.max(320, Math.min(900, target.clientWidth || 800)),
        height: 220,
        series: [{}, ...labels.map((label, i) => ({ label, stroke: colors[i] ?? "#333", width: 2 }))],
        axes: [{}, { size: 60 }],
        // The last five minutes, even while there are only one or two samples.
        scales: { x: { time: true, range: (_u, _min, max) => [max - 300, max] } },
      },
      this.data as uPlot.AlignedData,
      target,
    );
  }

  /** Appends one sample (time in seconds). */
  push(time: number, values: number[]): void {
    (this.data[0] as number[]).push(time);
    for (const [i, v] of values.entries()) (this.data[i + 1] as number[]).push(v);
    if ((this.data[0] as number[]).length > this.max) for (const s of this.data) s.shift();
    this.plot.setData(this.data as uPlot.AlignedData);
  }

  /** Frees the chart. */
  destroy(): void {
    this.plot.destroy();
  }
}

/** A daily history chart (one point per UTC day). */
export function historyChart(
  target: HTMLElement,
  days: Array<{ date: string; processed: number; failures: number }>,
): uPlot {
  const xs = days.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000);
  return new uPlot(
    {
      title: "History (per UTC day)",
      width: Math.max(320, Math.min(900, target.clientWidth || 800)),
      height: 220,
      series: [
        {},
        { label: "Processed", stroke: "#1f6feb", width: 2 },
        { label: "Failed", stroke: "#b3261e", width: 2 },
      ],
      axes: [{}, { size: 60 }],
    },
    [xs, days.map((d) => d.processed), days.map((d) => d.failures)],
    target,
  );
}
