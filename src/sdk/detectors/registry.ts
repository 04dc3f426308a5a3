import { blazeFacePlugin } from './plugins/blazeface.js';
import { haarPlugin } from './plugins/haar.js';
import { ultraFacePlugin } from './plugins/ultraface.js';
import { wholeFramePlugin } from './plugins/whole-frame.js';
import { yunetPlugin } from './plugins/yunet.js';

/** Every face detector, the default first. A new one is a file in plugins/ and a line here (README, "Extending fer-edge"). */
export const DETECTOR_PLUGINS = [blazeFacePlugin, yunetPlugin, ultraFacePlugin, haarPlugin, wholeFramePlugin] as const;
