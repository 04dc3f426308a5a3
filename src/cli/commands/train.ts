import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { runPythonModule } from '../python.js';

/** What `fer-edge train <role>` trains, as training.train's --model. */
const MODEL_BY_ROLE: Record<string, string> = {
  teacher: 'teacher',
  student: 'mnv3s',
  'student-edgetpu': 'mnv3s-edgetpu',
  baseline: 'cnn4',
  resnet18: 'resnet18',
};

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(`train a model with PyTorch (training/): ${Object.keys(MODEL_BY_ROLE).join(' | ')}; other options go to training.train (see --help there)`)
    .argument('<role>', Object.keys(MODEL_BY_ROLE).join(' | '))
    .argument('[options...]', 'passed to python -m training.train, e.g. --output-dir runs/student --teacher-logits t.pt --resume')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (role: string, args: string[], _options: unknown, command: Command) => {
      // --help goes to training.train after a role; before one it is this command's own help.
      if (role === '--help' || role === '-h') command.help();
      const model = MODEL_BY_ROLE[role];
      if (!model) throw new ConfigError(`unknown model role "${role}": use one of ${Object.keys(MODEL_BY_ROLE).join(', ')}`);
      if (args.includes('--model')) throw new ConfigError('give the model as the role (fer-edge train student ...), not --model');
      await runPythonModule('training.train', ['--model', model, ...args]);
    });

  program
    .command('export')
    .description('export a trained checkpoint to ONNX with its manifest (python -m training.export; options pass through)')
    .argument('[options...]', 'e.g. --checkpoint runs/student/best.pt --output models/fer-mnv3s.onnx')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[]) => {
      await runPythonModule('training.export', args);
    });
}
