# Environment the native dependencies need at install time. Sourced by setup.sh.
export ONNXRUNTIME_NODE_INSTALL=skip
export ONNXRUNTIME_NODE_INSTALL_CUDA=skip
export OPENCV4NODEJS_DISABLE_AUTOBUILD=1
export OPENCV_INCLUDE_DIR=${OPENCV_INCLUDE_DIR:-/usr/include/opencv4}
export OPENCV_LIB_DIR=${OPENCV_LIB_DIR:-/usr/lib/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)}
export OPENCV_BIN_DIR=${OPENCV_BIN_DIR:-/usr/bin}
export JOBS=${JOBS:-$(nproc)}
