import type { BenchReport } from './run-bench.js';
import type { Spread } from './stats.js';

const figure = (s: Spread, digits: number): string => `${s.median.toFixed(digits)} [${s.p25.toFixed(digits)}-${s.p75.toFixed(digits)}]`;
const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The printed form of a bench report: medians with their interquartile range over the runs. */
export function benchText(report: BenchReport): string {
  const m = report.machine;
  const out: string[] = [
    `fer-edge bench, ${m.date}`,
    `  ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, load average at start ${m.loadAverage}`,
    `  every figure: median [25th-75th percentile] over ${report.repeat.runs} runs (${report.repeat.iterations} calls per latency run)`,
    '',
  ];
  if (report.decode) {
    out.push(`decode only, ${report.decode.video} (${report.decode.frames} frames), frames/s`);
    out.push(...table(['decoder', 'frames/s'], [
      ['ffmpeg -benchmark', figure(report.decode.ffmpegFps, 0)],
      ['OpenCV VideoCapture', figure(report.decode.opencvFps, 0)],
    ]));
    out.push('');
  }
  if (report.detectors.length > 0) {
    out.push('face detection on video frames, ms per frame');
    out.push(...table(['detector', 'ms/frame', 'faces/frame'], report.detectors.map((d) => [d.detector, figure(d.perFrame, 2), d.facesPerFrame.toFixed(2)])));
    out.push('');
  }
  const batches = [...new Set(report.models.flatMap((model) => model.latency.map((l) => l.batch)))];
  if (batches.length > 0) {
    out.push('classification, ms per face (crops prepared; batch = faces per call)');
    out.push(
      ...table(
        ['model', 'runtime', ...batches.map((b) => `batch ${b}`)],
        report.models.map((model) => [
          model.label,
          `${model.model.format} ${model.model.precision} ${model.model.runtime}/${model.model.accelerator}`,
          ...batches.map((b) => {
            const l = model.latency.find((x) => x.batch === b);
            return l ? figure(l.perFace, 3) : '-';
          }),
        ]),
      ),
    );
    out.push('');
  }
  const withAccuracy = report.models.filter((model) => model.accuracy);
  if (withAccuracy.length > 0) {
    out.push(`accuracy on ${withAccuracy[0]!.accuracy!.samples} labelled faces (device path)`);
    out.push(
      ...table(
        ['model', 'accuracy', 'balanced', 'macro F1'],
        withAccuracy.map((model) => [model.label, percent(model.accuracy!.accuracy), percent(model.accuracy!.balancedAccuracy), model.accuracy!.macroF1.toFixed(4)]),
      ),
    );
    out.push('');
  }
  const withVideo = report.models.filter((model) => model.endToEnd);
  if (withVideo.length > 0) {
    const stageNames = ['detect', 'classify', 'track', 'total'];
    out.push('end to end (createPipeline on the video, as fast as it decodes): frames/s and per-stage ms p50/p90 of the median run');
    out.push(
      ...table(
        ['model', 'frames/s', 'faces/frame', ...stageNames],
        withVideo.map((model) => {
          const e = model.endToEnd!;
          const median = e.medianRun;
          return [
            model.label,
            figure(e.fps, 1),
            median.facesPerFrame.toFixed(2),
            ...stageNames.map((s) => (median.stages[s] ? `${median.stages[s]!.p50.toFixed(2)}/${median.stages[s]!.p90.toFixed(2)}` : '-')),
          ];
        }),
      ),
    );
    if (report.decode) {
      out.push(
        ...withVideo.map(
          (model) => `  ${model.label}: ${percent(model.endToEnd!.fps.median / report.decode!.ffmpegFps.median)} of ffmpeg decode-only frames/s`,
        ),
      );
    }
    out.push('');
  }
  if (report.ratios.length > 0) {
    out.push('comparison: the first model relative to each other one');
    for (const r of report.ratios) {
      const parts = [
        r.perFaceSpeedup !== undefined ? `${r.perFaceSpeedup.toFixed(2)}x the per-face speed (batch 1)` : undefined,
        r.endToEndFpsRatio !== undefined ? `${r.endToEndFpsRatio.toFixed(2)}x the end-to-end frames/s` : undefined,
        r.accuracyDifference !== undefined ? `accuracy ${r.accuracyDifference >= 0 ? '+' : ''}${(100 * r.accuracyDifference).toFixed(2)} points` : undefined,
      ].filter(Boolean);
      out.push(`  ${r.reference} relative to ${r.model}: ${parts.join(', ')}`);
    }
    out.push('');
  }
  out.push(`peak RSS ${report.peakRssMiB.toFixed(0)} MiB (${report.models.map((model) => `${model.label} done: ${model.peakRssMiB.toFixed(0)}`).join(', ')})`);
  return out.join('\n');
}
