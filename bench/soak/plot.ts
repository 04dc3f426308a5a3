import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

/** One row of the soak's time series; NaN where nothing was measured (no stats during an outage). */
export interface PlotSample {
  minutes: number;
  rssMiB: number;
  heapMiB: number;
  fds: number;
  fps: number;
  p99Ms: number;
}

export interface PlotInput {
  title: string;
  samples: readonly PlotSample[];
  /** Broker down, in minutes since the start. */
  outages: ReadonlyArray<{ from: number; to: number }>;
  warmupMinutes: number;
  durationMinutes: number;
  latencyAimMs: number;
}

const WIDTH = 900;
const PANEL_HEIGHT = 150;
const TITLE_HEIGHT = 46;

/**
 * The soak's time series as one self-contained SVG (Observable Plot, rendered on linkedom's DOM): memory, open file
 * descriptors, frames/s and event latency p99 in stacked panels, with the broker's outages shaded.
 */
export function soakPlotSvg(input: PlotInput): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const panels: Array<{ label: string; marks: Plot.Markish[]; integer?: boolean }> = [
    {
      label: 'memory (MiB)',
      marks: [
        Plot.lineY(input.samples, { x: 'minutes', y: 'rssMiB', stroke: '#1f77b4' }),
        Plot.lineY(input.samples, { x: 'minutes', y: 'heapMiB', stroke: '#9467bd' }),
        endLabel(input.samples, 'rssMiB', 'RSS', '#1f77b4'),
        endLabel(input.samples, 'heapMiB', 'V8 heap used', '#9467bd'),
      ],
    },
    { label: 'open file descriptors', integer: true, marks: [Plot.lineY(input.samples, { x: 'minutes', y: 'fds', stroke: '#2ca02c', curve: 'step-after' })] },
    { label: 'frames/s', marks: [Plot.lineY(input.samples, { x: 'minutes', y: 'fps', stroke: '#ff7f0e' })] },
    {
      label: 'event latency p99 (ms)',
      marks: [
        Plot.ruleY([input.latencyAimMs], { stroke: '#888', strokeDasharray: '4,3' }),
        Plot.text([input.latencyAimMs], { y: (d: number) => d, frameAnchor: 'right', textAnchor: 'start', dx: 6, text: () => `aim ${input.latencyAimMs} ms`, fill: '#666' }),
        Plot.dot(input.samples, { x: 'minutes', y: 'p99Ms', r: 2, fill: '#d62728' }),
        Plot.lineY(input.samples, { x: 'minutes', y: 'p99Ms', stroke: '#d62728' }),
      ],
    },
  ];
  const outer = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${TITLE_HEIGHT + panels.length * PANEL_HEIGHT}" font-family="system-ui, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="20" font-size="14" font-weight="600">${escapeXml(input.title)}</text>`,
    `<text x="12" y="38" font-size="11" fill="#555">shaded: MQTT broker stopped; dashed grey: end of warm-up (${input.warmupMinutes.toFixed(1)} min)</text>`,
  ];
  panels.forEach((panel, i) => {
    const svg = Plot.plot({
      document: document as unknown as Document,
      width: WIDTH,
      height: PANEL_HEIGHT,
      marginLeft: 60,
      marginRight: 90,
      x: { domain: [0, input.durationMinutes], label: i === panels.length - 1 ? 'minutes since start' : null },
      // From zero, so that a drift of a few percent looks like one.
      y: { label: panel.label, grid: true, zero: true, tickFormat: panel.integer ? 'd' : undefined, ticks: panel.integer ? 5 : undefined },
      marks: [
        Plot.rectX(input.outages, { x1: 'from', x2: 'to', fill: '#f4c7c3', fillOpacity: 0.7 }),
        Plot.ruleX([input.warmupMinutes], { stroke: '#999', strokeDasharray: '2,3' }),
        ...panel.marks,
      ],
    }) as unknown as Element;
    svg.setAttribute('y', String(TITLE_HEIGHT + i * PANEL_HEIGHT));
    outer.push(svg.outerHTML);
  });
  outer.push('</svg>');
  return outer.join('\n') + '\n';
}

function endLabel(samples: readonly PlotSample[], key: 'rssMiB' | 'heapMiB', text: string, fill: string): Plot.Markish {
  const last = [...samples].reverse().find((s) => Number.isFinite(s[key]));
  return Plot.text(last ? [last] : [], { x: 'minutes', y: key, text: () => text, textAnchor: 'start', dx: 6, fill });
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
