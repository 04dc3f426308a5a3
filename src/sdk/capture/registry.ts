import { imageFolderSourcePlugin } from './plugins/images.js';
import { opencvSourcePlugin } from './plugins/opencv.js';
import { webcamStillSourcePlugin } from './plugins/webcam-still.js';

/** Every kind of frame source. A new one is a file in plugins/ and a line here (README, "Extending fer-edge"). */
export const SOURCE_PLUGINS = [opencvSourcePlugin, webcamStillSourcePlugin, imageFolderSourcePlugin] as const;
