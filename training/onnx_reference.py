"""A small NumPy interpreter for the ONNX operators our exported classifiers use.

Used to check an export against PyTorch where onnxruntime is not installed (this CI); with onnxruntime present,
``run`` uses it instead. Supports the operators of the CNN, ResNet18, MobileNetV3 and teacher (transformer block)
exports; anything else raises ``NotImplementedError`` naming the operator.
"""
import math

import numpy as np
import onnx
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pads(x, kernel, a):
    pads = a.get("pads", [0] * (2 * len(kernel)))
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise NotImplementedError("auto_pad")
    return pads


def _conv(x, w, b, a):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    groups = a.get("group", 1)
    sh, sw = a.get("strides", [1, 1])
    dh, dw = a.get("dilations", [1, 1])
    pt, pl, pb, pr = _pads(x, (kh, kw), a)
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + pl + pr - dw * (kw - 1) - 1) // sw + 1
    # patches [n, c, kh, kw, oh, ow]
    patches = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            patches[:, :, i, j] = xp[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw]
    mg = m // groups
    out = np.empty((n, m, oh, ow), dtype=x.dtype)
    for g in range(groups):
        p = patches[:, g * cg:(g + 1) * cg].reshape(n, cg * kh * kw, oh * ow)
        wg = w[g * mg:(g + 1) * mg].reshape(mg, cg * kh * kw)
        out[:, g * mg:(g + 1) * mg] = np.einsum("mk,nkp->nmp", wg, p, optimize=True).reshape(n, mg, oh, ow)
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def _depthwise_fast(x, w, b, a):
    """Conv with group == channels == outputs: a sum of shifted, weighted copies (much faster than the loop)."""
    n, c, h, wd = x.shape
    _, _, kh, kw = w.shape
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = _pads(x, (kh, kw), a)
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (h + pt + pb - kh) // sh + 1
    ow = (wd + pl + pr - kw) // sw + 1
    out = np.zeros((n, c, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            out += xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw] * w[:, 0, i, j].reshape(1, c, 1, 1)
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def _maxpool(x, a):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = _pads(x, (kh, kw), a)
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), constant_values=-np.inf)
    n, c, h, w = xp.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.full((n, c, oh, ow), -np.inf, dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            out = np.maximum(out, xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw])
    return out


def _avgpool(x, a):
    """AveragePool without padding (the only form our models export): the mean over each window."""
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    if any(a.get("pads", [0, 0, 0, 0])):
        raise NotImplementedError("AveragePool with pads")
    n, c, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.zeros((n, c, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            out += x[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
    return out / (kh * kw)


def _pad(i, a):
    """Pad, constant mode, pads as an input (opset >= 11): [begin of each axis..., end of each axis...]."""
    if a.get("mode", b"constant") not in (b"constant", "constant"):
        raise NotImplementedError(f"Pad mode {a['mode']}")
    x, pads = i[0], [int(v) for v in i[1]]
    value = i[2].item() if len(i) > 2 and i[2] is not None and i[2].size else 0.0
    rank = x.ndim
    return np.pad(x, [(pads[k], pads[k + rank]) for k in range(rank)], constant_values=value)


def _gemm(a_, b_, c_, a):
    if a.get("transA", 0):
        a_ = a_.T
    if a.get("transB", 0):
        b_ = b_.T
    y = a.get("alpha", 1.0) * (a_ @ b_)
    if c_ is not None:
        y = y + a.get("beta", 1.0) * c_
    return y


def _hardsigmoid(x, a):
    return np.clip(a.get("alpha", 0.2) * x + a.get("beta", 0.5), 0, 1)


def _batchnorm(i, a):
    x, scale, bias, mean, var = i[:5]
    shape = (1, -1) + (1,) * (x.ndim - 2)
    inv = scale / np.sqrt(var + a.get("epsilon", 1e-5))
    return (x - mean.reshape(shape)) * inv.reshape(shape) + bias.reshape(shape)


def _layernorm(i, a):
    x, scale = i[0], i[1]
    bias = i[2] if len(i) > 2 and i[2] is not None else 0.0
    axes = tuple(range(a.get("axis", -1) % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + a.get("epsilon", 1e-5)) * scale + bias


def _slice(i, a):
    x, starts, ends = i[0], i[1], i[2]
    axes = i[3] if len(i) > 3 and i[3] is not None else range(len(starts))
    steps = i[4] if len(i) > 4 and i[4] is not None else [1] * len(starts)
    index = [slice(None)] * x.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps):
        index[int(axis)] = slice(int(start), int(end), int(step))  # Python slicing clamps as ONNX does
    return x[tuple(index)]


def _div(x, y):
    """ONNX Div: integer tensors divide to integers, truncated (the attention's shape arithmetic relies on it)."""
    x, y = np.asarray(x), np.asarray(y)
    if np.issubdtype(x.dtype, np.integer) and np.issubdtype(y.dtype, np.integer):
        return np.trunc(x / y).astype(np.result_type(x, y))
    return x / y


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _reduce(fn, x, a, axes_input=None):
    axes = a.get("axes", axes_input)
    keep = bool(a.get("keepdims", 1))
    return fn(x, axis=tuple(int(v) for v in axes) if axes is not None else None, keepdims=keep)


OPS = {
    "Relu": lambda i, a: np.maximum(i[0], 0),
    "Sigmoid": lambda i, a: 1 / (1 + np.exp(-i[0])),
    "HardSigmoid": lambda i, a: _hardsigmoid(i[0], a),
    "HardSwish": lambda i, a: i[0] * np.clip(i[0] / 6 + 0.5, 0, 1),
    "Add": lambda i, a: i[0] + i[1],
    "Sub": lambda i, a: i[0] - i[1],
    "Mul": lambda i, a: i[0] * i[1],
    "Div": lambda i, a: _div(i[0], i[1]),
    "Identity": lambda i, a: i[0],
    "Flatten": lambda i, a: i[0].reshape(int(np.prod(i[0].shape[:a.get("axis", 1)])), -1),
    "GlobalAveragePool": lambda i, a: i[0].mean(axis=(2, 3), keepdims=True),
    "GlobalMaxPool": lambda i, a: i[0].max(axis=(2, 3), keepdims=True),
    "ReduceMean": lambda i, a: _reduce(np.mean, i[0], a, i[1] if len(i) > 1 else None),
    "ReduceMax": lambda i, a: _reduce(np.max, i[0], a, i[1] if len(i) > 1 else None),
    "MaxPool": lambda i, a: _maxpool(i[0], a),
    "AveragePool": lambda i, a: _avgpool(i[0], a),
    "ConstantOfShape": lambda i, a: np.full([int(v) for v in i[0]], numpy_helper.to_array(a["value"]).reshape(-1)[0]
                                            if "value" in a else np.float32(0)),
    "Pad": _pad,
    "BatchNormalization": _batchnorm,
    "Gemm": lambda i, a: _gemm(i[0], i[1], i[2] if len(i) > 2 else None, a),
    "MatMul": lambda i, a: i[0] @ i[1],
    "Reshape": lambda i, a: i[0].reshape([d if d != 0 else i[0].shape[k] for k, d in enumerate(i[1].tolist())]),
    "Transpose": lambda i, a: np.transpose(i[0], a.get("perm")),
    "Concat": lambda i, a: np.concatenate(i, axis=a["axis"]),
    "Shape": lambda i, a: np.array(i[0].shape, dtype=np.int64),
    "Gather": lambda i, a: np.take(i[0], i[1], axis=a.get("axis", 0)),
    "Unsqueeze": lambda i, a: np.expand_dims(i[0], tuple(int(v) for v in (i[1] if len(i) > 1 else a["axes"]))),
    "Squeeze": lambda i, a: np.squeeze(i[0], tuple(int(v) for v in (i[1] if len(i) > 1 else a["axes"]))),
    "Clip": lambda i, a: np.clip(i[0], i[1] if len(i) > 1 and i[1] is not None else -np.inf,
                                 i[2] if len(i) > 2 and i[2] is not None else np.inf),
    "LayerNormalization": _layernorm,
    "Slice": _slice,
    "Erf": lambda i, a: _erf(i[0]).astype(i[0].dtype),
    "Cast": lambda i, a: i[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]]),
    "Softmax": lambda i, a: (lambda e: e / e.sum(a.get("axis", -1), keepdims=True))(
        np.exp(i[0] - i[0].max(a.get("axis", -1), keepdims=True))),
}


def _conv_op(i, a):
    x, w = i[0], i[1]
    b = i[2] if len(i) > 2 else None
    if a.get("group", 1) == x.shape[1] == w.shape[0] and w.shape[1] == 1 and a.get("dilations", [1, 1]) == [1, 1]:
        return _depthwise_fast(x, w, b, a)
    return _conv(x, w, b, a)


OPS["Conv"] = _conv_op


def run_numpy(model, inputs):
    """Run ``model`` (an onnx.ModelProto or a path) on ``{name: array}``; returns the list of outputs."""
    if not isinstance(model, onnx.ModelProto):
        model = onnx.load(model)
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values.update(inputs)
    for node in model.graph.node:
        a = _attrs(node)
        if node.op_type == "Constant":
            values[node.output[0]] = numpy_helper.to_array(a["value"])
            continue
        if node.op_type not in OPS:
            raise NotImplementedError(f"ONNX operator {node.op_type} is not supported by the NumPy reference runner")
        ins = [values[n] if n else None for n in node.input]
        out = OPS[node.op_type](ins, a)
        values[node.output[0]] = np.asarray(out, dtype=out.dtype if hasattr(out, "dtype") else None)
    return [values[o.name] for o in model.graph.output]


def run(model_path, inputs):
    """onnxruntime when installed, else the NumPy runner. Returns (outputs, runner name)."""
    try:
        import onnxruntime as ort
    except ImportError:
        return run_numpy(model_path, inputs), "numpy-reference"
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    return session.run(None, inputs), f"onnxruntime {ort.__version__}"
