import { Log } from '@u4/opencv-build';

// @u4/opencv4nodejs looks for its own OpenCV build at import time unless told that the binding was built against the
// system's OpenCV (scripts/setup.sh), and it logs that search on the console. Imported by opencv.ts before the
// binding, so users need no variable set and see no build chatter.
process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD ??= '1';
// The binding's external-memory tracking reports Mat allocations to V8 from whichever thread frees them (async
// reads free on libuv workers), which crashes V8's garbage collector ("Check failed: marking_done_") within seconds
// of video processing. The pipeline releases its per-frame Mats explicitly instead.
process.env.OPENCV4NODEJS_DISABLE_EXTERNAL_MEM_TRACKING ??= '1';
Log.silence = true;
