"""Model registry: ``get_model(name, **kwargs)``; one file per model family.

| name | file | what |
|---|---|---|
| ``teacher`` | hybrid_teacher.py | face-pretrained ResNet (or ResNet50) + spatial-channel attention + transformer block + class branches |
| ``cnn4`` | cnn.py | the second report's 0.58M 4-block CNN |
| ``resnet18`` | resnet18.py | ResNet18 (transfer from a local ImageNet file when given) |
| ``mnv3s`` | mobilenetv3.py | student: MobileNetV3-Small, 1-channel stem, configurable total stride |
| ``mnv3s-edgetpu`` | mobilenetv3.py | the student with ReLU and no squeeze-excite |
"""
import importlib

# name -> (module, factory function, the roles `fer-edge train` groups it under)
MODELS = {
    "teacher": ("hybrid_teacher", "hybrid_teacher", "teacher"),
    "cnn4": ("cnn", "cnn4", "baseline"),
    "resnet18": ("resnet18", "resnet18", "baseline"),
    "mnv3s": ("mobilenetv3", "mobilenet_v3_small", "student"),
    "mnv3s-edgetpu": ("mobilenetv3", "mobilenet_v3_small_edgetpu", "student"),
}


def get_model(name, num_classes=7, **kwargs):
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    module, factory, _ = MODELS[name]
    mod = importlib.import_module(f"{__name__}.{module}")
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    return getattr(mod, factory)(num_classes=num_classes, **kwargs)
