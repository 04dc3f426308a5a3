"""The face-pretrained backbone against face-api's own output, and the BatchNorm re-expression of its scale layers."""
import json
import os
import subprocess

import numpy as np
import pytest
import torch

from training.data import to_float
from training.models import face_resnet

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MEDIA = os.path.join(ROOT, "..", "shared", "media")
# (file, face box left, top, right, bottom): real faces of ../shared/media
FACES = [("astronaut_eileen_collins_nasa.png", 150, 40, 300, 190),
         ("grace_hopper_pillow_128.jpg", 0, 0, 128, 128),
         ("solvay_conference_1927.jpg", 337, 230, 379, 277),
         ("solvay_conference_1927.jpg", 183, 238, 217, 276)]


@pytest.fixture(scope="module")
def faces():
    from PIL import Image

    if not os.path.isdir(MEDIA):
        pytest.skip(f"{os.path.abspath(MEDIA)} not found")
    crops = []
    for file, *box in FACES:
        with Image.open(os.path.join(MEDIA, file)) as im:
            crops.append(np.asarray(im.convert("RGB").crop(box).resize((150, 150), Image.BILINEAR), dtype=np.uint8))
    return np.stack(crops)  # [N, 150, 150, 3]


def test_descriptors_match_face_api(faces, tmp_path):
    raw = tmp_path / "faces.rgb"
    raw.write_bytes(faces.tobytes())
    script = os.path.join(ROOT, "training", "tests", "face_api_descriptors.mjs")
    out = subprocess.run(["node", script, str(raw), str(len(faces))], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    expected = torch.tensor(json.loads(out.stdout))

    model = face_resnet.face_resnet(rgb=True).eval()
    x = to_float(torch.from_numpy(faces).permute(0, 3, 1, 2))
    with torch.no_grad():
        ours = model(x)
    diff = (ours - expected).abs().max().item()
    print(f"max abs difference to face-api over {len(faces)} faces: {diff:.2e} (descriptor norm "
          f"{expected.norm(dim=1).mean():.3f})")
    assert expected.shape == (len(faces), 128)
    assert diff < 1e-4
    # the descriptors tell faces apart: different people are far apart (dlib calls a distance under 0.6 the same person on aligned faces)
    distances = torch.cdist(ours, ours)
    assert (distances + torch.eye(len(faces)) * 10).min() > 0.3


def test_calibrated_batchnorm_keeps_the_pretrained_function(faces):
    torch.manual_seed(0)
    model = face_resnet.face_resnet(rgb=True).eval()
    x = to_float(torch.from_numpy(faces).permute(0, 3, 1, 2))
    x = torch.cat([x, x.flip(3)])
    with torch.no_grad():
        before = model(x)
    face_resnet.calibrate_batchnorm(model, x)
    with torch.no_grad():
        after_eval = model(x)
        model.train()
        after_train = model(x)  # batch statistics = the calibration statistics on the same batch
    assert (after_eval - before).abs().max() < 1e-4
    assert (after_train - before).abs().max() < 1e-3


def test_grey_input_and_stages():
    model = face_resnet.face_resnet(pretrained=False)
    x = torch.randn(2, 1, 112, 112)
    maps = model.features(x, ("stage3", "stage4", "out"))
    assert maps["stage3"].shape == (2, 128, 6, 6)
    assert maps["stage4"].shape == (2, 256, 3, 3)
    assert maps["out"].shape == (2, 256, 1, 1)
    assert model(x).shape == (2, 128)
    groups = model.stage_groups()
    covered = sum(p.numel() for _, modules in groups for m in modules for p in m.parameters())
    assert covered == sum(p.numel() for p in model.parameters())
