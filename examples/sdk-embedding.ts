/**
 * fer-edge inside your own Node program: events come straight from the pipeline, no broker needed.
 *
 *   npm run build && node --import tsx examples/sdk-embedding.ts path/to/video.mp4
 */
import { createPipeline } from 'fer-edge';

const file = process.argv[2] ?? '../shared/media/tears_of_steel_10s_640x360.mp4';
const pipeline = await createPipeline({ source: { type: 'opencv', file }, mqtt: false });

pipeline.on('event', (event) => console.log(`face ${event.face_id}: ${event.type} ${event.emotion} (${event.confidence.toFixed(2)})`));
pipeline.on('stats', (stats) => console.log(`${stats.fps.toFixed(1)} fps, total p95 ${stats.latency_ms.total?.p95.toFixed(1)} ms`));
pipeline.on('error', (error) => console.error(error.message));

// The pipeline is also an async iterator of per-frame results; the loop ends with the source (or pipeline.stop()).
await pipeline.start();
for await (const result of pipeline) {
  const visible = result.faces.filter((face) => face.state?.visible);
  if (visible.length > 0) console.log(`frame ${result.frame.seq}: ${visible.map((f) => `${f.faceId} ${f.state!.emotion}`).join(', ')}`);
}
