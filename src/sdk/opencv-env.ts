import { Log } from '@u4/opencv-build';

// @u4/opencv4nodejs looks for its own OpenCV build at import time unless told that the binding was built against the
// system's OpenCV (scripts/setup.sh), and it logs that search on the console. Imported by opencv.ts before the
// binding, so users need no variable set and see no build chatter.
process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD ??= '1';
Log.silence = true;
