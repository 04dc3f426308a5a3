// @u4/opencv4nodejs looks for its own OpenCV build at import time unless told that the binding was built against the
// system's OpenCV (scripts/setup.sh). Imported by opencv.ts before the binding, so users need no variable set.
process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD ??= '1';
export {};
