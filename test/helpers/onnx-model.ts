import type { Graph, Model } from '../../src/core/onnx/graph.js';

/** A model around a graph built in a test: opset 17, IR 8, no metadata; `valueInfo` starts empty. */
export function testModel(graph: Omit<Graph, 'valueInfo'>, producerName = 'test'): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName,
    producerVersion: '',
    metadata: new Map(),
    graph: { ...graph, valueInfo: new Map() },
  };
}
