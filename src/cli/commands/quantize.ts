import { Option, type Command } from 'commander';
import { DEFAULTS } from '../../quantize/defaults.js';

export interface QuantizeFlags {
  calib: string;
  calibCount: string;
  method: string;
  percentile: string;
  formats: string;
  qdqFlavor: string;
  val?: string;
  valCount?: string;
  outDir?: string;
  exclude?: string;
  json?: boolean;
}

export function registerQuantize(program: Command): void {
  program
    .command('quantize')
    .description('Turn an fp32 ONNX model into int8 QDQ ONNX (TensorRT), full-integer int8 TFLite and fp16 ONNX, verified against fp32 on val.')
    .argument('<model.onnx>', 'fp32 ONNX model with its manifest beside it')
    .requiredOption('--calib <folder|csv>', 'calibration images: <class>/<image> folders, a flat image folder, or fer2013.csv (Training rows)')
    .option('--calib-count <n>', 'calibration images to use, balanced over classes', String(DEFAULTS.calibCount))
    .addOption(new Option('--method <name>', 'activation range').choices(['minmax', 'percentile', 'entropy']).default(DEFAULTS.method))
    .option('--percentile <p>', 'percentile method: share of |x| kept, in percent, above 50 and at most 100', String(DEFAULTS.percentile))
    .option('--formats <list>', 'comma-separated: onnx-int8, tflite-int8, onnx-fp16', DEFAULTS.formats.join(','))
    .option('--qdq-flavor <list>', 'onnx-int8 graphs: tensorrt (Q/DQ on Conv/Gemm inputs, symmetric int8; .int8-qdq.onnx) and/or cpu (ONNX Runtime CPU fusion, uint8 activations; .int8-qdq-cpu.onnx)', DEFAULTS.qdqFlavors.join(','))
    .option('--val <folder|csv>', 'labelled validation images (default: a "val" folder beside --calib; fer2013.csv: PublicTest rows)')
    .option('--val-count <n>', 'validate on at most n images, balanced over classes (default: all)')
    .option('--out-dir <dir>', 'where to write the models and the report (default: beside the model)')
    .option('--exclude <nodes>', 'comma-separated ONNX node names kept in floating point in the int8 ONNX model')
    .option('--json', 'print the report as JSON instead of a table')
    .action(async (model: string, flags: QuantizeFlags) => {
      const { quantizeCommand } = await import('./quantize-action.js');
      await quantizeCommand(model, flags);
    });
}
