import type { Command } from 'commander';

export interface ConvertFlags {
  output?: string;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('Convert a float TFLite model (e.g. MediaPipe BlazeFace) to ONNX (opset 17) with the same input and outputs.')
    .argument('<model.tflite>', 'float TFLite model (fp32 activations; fp32, fp16 or dequantized int8 weights)')
    .option('-o, --output <model.onnx>', 'where to write the ONNX model (default: beside the input, with .onnx)')
    .action(async (modelPath: string, flags: ConvertFlags) => {
      // Loaded on use, like every command's action: --help and usage errors stay fast.
      const { convertCommand } = await import('./convert-action.js');
      await convertCommand(modelPath, flags);
    });
}
