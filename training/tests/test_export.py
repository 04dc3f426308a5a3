import json

import numpy as np
import onnx
import pytest
import torch

from training import export, onnx_reference
from training.models import get_model


@pytest.mark.parametrize("name,kwargs,size", [("cnn4", {}, 48), ("mnv3s", {"downsample": 16}, 64),
                                               ("mnv3s-edgetpu", {"downsample": 16}, 64),
                                               ("teacher", {"input_size": 112, "init_weights": False}, 112)])
def test_onnx_round_trip_equals_pytorch(val_sample, tmp_path, name, kwargs, size):
    torch.manual_seed(0)
    model = get_model(name, **kwargs).eval()
    for m in model.modules():  # non-trivial batch-norm statistics, so that folding is exercised
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    path = str(tmp_path / f"{name}.onnx")
    export.export_onnx(model, size, path)
    graph = onnx.load(path).graph
    assert not [n for n in graph.node if n.op_type == "Identity"]
    assert graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    check = export.verify(model, path, val_sample[0][:16], size)
    assert check["max_abs_diff"] < 1e-4 and check["top1_agreement"] == 1.0


def test_identity_removal_keeps_outputs():
    x = onnx.helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT, [1, 2])
    y = onnx.helper.make_tensor_value_info("logits", onnx.TensorProto.FLOAT, [1, 2])
    nodes = [onnx.helper.make_node("Relu", ["input"], ["a"]), onnx.helper.make_node("Identity", ["a"], ["b"]),
             onnx.helper.make_node("Relu", ["b"], ["c"]), onnx.helper.make_node("Identity", ["c"], ["logits"])]
    model = onnx.helper.make_model(onnx.helper.make_graph(nodes, "g", [x], [y]))
    assert export.remove_identity_nodes(model) == 2
    onnx.checker.check_model(model)
    v = np.array([[-1.0, 2.0]], dtype=np.float32)
    assert np.array_equal(onnx_reference.run_numpy(model, {"input": v})[0], np.maximum(v, 0))


def test_export_command_writes_the_manifest(tiny_dataset, tmp_path):
    from training import train

    train.main(train.get_args_parser().parse_args(
        ["--data", tiny_dataset, "--cache-dir", "", "--model", "cnn4", "--limit", "32",
         "--output-dir", str(tmp_path / "run"), "--epochs", "1", "--batch-size", "16", "--no-progress"]))
    out = tmp_path / "models" / "fer-test.onnx"
    assert export.main(["--checkpoint", str(tmp_path / "run" / "last.pt"), "--output", str(out), "--data",
                        tiny_dataset, "--cache-dir", "", "--report-dir", str(tmp_path / "report"), "--verify-images", "8"]) == 0
    manifest = json.loads((tmp_path / "models" / "fer-test.json").read_text())
    assert manifest["schema"] == "fer-edge/model@1" and manifest["format"] == "onnx"
    assert manifest["labels"] == ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    assert manifest["input"]["height"] == 48 and manifest["input"]["channels"] == 1
    assert manifest["sha256"] == export.sha256(str(out))
    assert manifest["temperature"] > 0 and 0 <= manifest["metrics"]["val"]["accuracy"] <= 1
    assert manifest["export"]["max_abs_diff"] < 1e-4
    assert (tmp_path / "report" / "fer-test-confusion.png").exists()


def test_the_numpy_runner_covers_the_teachers_transformer_operators(tmp_path):
    """LayerNormalization, Erf (GELU), Slice and Cast: what the teacher's export adds to the students' operators."""

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = torch.nn.LayerNorm(8)
            self.mlp = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.GELU(), torch.nn.Linear(16, 8))

        def forward(self, x):
            tokens = x.flatten(2).transpose(1, 2)  # [B, HW, C]
            h = tokens + self.mlp(self.norm(tokens))
            return h[:, 1:3].mean(1) * torch.tensor(h.shape[1]).float()

    torch.manual_seed(0)
    model = Block().eval()
    x = torch.randn(2, 8, 2, 2)
    path = str(tmp_path / "block.onnx")
    torch.onnx.export(model, x, path, opset_version=17, input_names=["input"], output_names=["logits"])
    ops = {n.op_type for n in onnx.load(path).graph.node}
    assert {"LayerNormalization", "Erf", "Slice"} <= ops
    (out,) = onnx_reference.run_numpy(path, {"input": x.numpy()})
    assert np.abs(out - model(x).detach().numpy()).max() < 1e-5


def test_the_numpy_runner_divides_integer_shapes_to_integers():
    x = onnx.helper.make_tensor_value_info("input", onnx.TensorProto.INT64, [2])
    y = onnx.helper.make_tensor_value_info("logits", onnx.TensorProto.INT64, [2])
    three = onnx.helper.make_tensor("three", onnx.TensorProto.INT64, [1], [3])
    node = onnx.helper.make_node("Div", ["input", "three"], ["logits"])
    model = onnx.helper.make_model(onnx.helper.make_graph([node], "g", [x], [y], initializer=[three]))
    (out,) = onnx_reference.run_numpy(model, {"input": np.array([770, -7], dtype=np.int64)})
    assert out.dtype == np.int64 and out.tolist() == [256, -2]
