"""Entry points call ``require_torch()`` first, so a machine without PyTorch gets a clear message, not a traceback."""
import sys

INSTALL_HINT = """fer-edge training needs PyTorch (torch >= 1.13, torchvision >= 0.14), which this Python does not have:
  {python}
Install it in one of these ways, then run the command again:
  Debian/Ubuntu:  sudo apt install python3-torch python3-torchvision python3-onnx python3-sklearn python3-matplotlib python3-tqdm
  pip (CPU):      python3 -m pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu
  pip (CUDA):     python3 -m pip install torch torchvision   (see https://pytorch.org/get-started/locally/)
  and:            python3 -m pip install onnx scikit-learn matplotlib tqdm
or point fer-edge at a Python that has it (FER_EDGE_PYTHON=/usr/bin/python3)."""


def require_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        print(INSTALL_HINT.format(python=sys.executable), file=sys.stderr)
        sys.exit(3)
