export { LatencyWindow, StageLatencies } from './latency.js';
export { FpsCounter } from './fps.js';
