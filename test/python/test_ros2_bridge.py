"""examples/ros2-bridge.py's message mapping, on the README's sample event, without ROS 2: only its imports are stubbed."""
import importlib.util
import json
import os
import re
import sys
import types

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class _Stamp:
    __slots__ = ("sec", "nanosec")

    def __init__(self):
        self.sec, self.nanosec = 0, 0


class _Header:
    __slots__ = ("stamp", "frame_id")

    def __init__(self):
        self.stamp, self.frame_id = _Stamp(), ""


class Expression:
    """hri_msgs/msg/Expression's fields; like a generated ROS message, it refuses any other attribute."""

    __slots__ = ("header", "expression", "valence", "arousal", "confidence")

    def __init__(self):
        self.header, self.expression, self.valence, self.arousal, self.confidence = _Header(), "", 0.0, 0.0, 0.0


def _module(name, **attributes):
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    return module


@pytest.fixture(scope="module")
def bridge():
    stubs = {
        "rclpy": _module("rclpy"),
        "rclpy.node": _module("rclpy.node", Node=object),
        "hri_msgs": _module("hri_msgs"),
        "hri_msgs.msg": _module("hri_msgs.msg", Expression=Expression, IdsList=object),
        "paho": _module("paho"),
        "paho.mqtt": _module("paho.mqtt"),
        "paho.mqtt.client": _module("paho.mqtt.client"),
    }
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update(stubs)
    try:
        spec = importlib.util.spec_from_file_location("ros2_bridge", os.path.join(ROOT, "examples", "ros2-bridge.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        for name, previous in saved.items():
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous


@pytest.fixture(scope="module")
def sample():
    """The event README.md shows (test/schema-files.test.ts checks it against schemas/event.v1.schema.json)."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf8") as readme:
        match = re.search(r'```json\n(\{ "schema": "fer-edge/event@1".*?)```', readme.read(), re.S)
    assert match, "no example event in README.md"
    return match.group(1).encode()


def test_an_event_becomes_a_ros4hri_expression_field_for_field(bridge, sample):
    event = bridge.read_event(sample)
    msg = bridge.expression_message(event)
    assert bridge.face_id_of(event) == f"fer{event['face_id']}"
    assert msg.expression == event["expression"] == "surprised"
    assert (msg.valence, msg.arousal, msg.confidence) == (event["valence"], event["arousal"], event["confidence"])
    assert all(isinstance(value, float) for value in (msg.valence, msg.arousal, msg.confidence))
    assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == (event["ts"] // 1000, event["ts"] % 1000 * 1_000_000)


def test_payloads_that_are_not_fer_edge_events_are_refused_with_the_reason(bridge, sample):
    with pytest.raises(ValueError, match="malformed JSON"):
        bridge.read_event(b"{not json")
    other_version = json.dumps({**json.loads(sample), "schema": "fer-edge/event@2"})
    with pytest.raises(ValueError, match=r"schema 'fer-edge/event@2', not fer-edge/event@1"):
        bridge.read_event(other_version)
    with pytest.raises(ValueError, match="schema None"):
        bridge.read_event(b"[1, 2]")
