#!/usr/bin/env python3
"""A sketch of a ROS 2 bridge: fer-edge MQTT events -> ROS4HRI (REP-155) facial expressions.

For every face fer-edge tracks it publishes hri_msgs/Expression on /humans/faces/<id>/expression and keeps
/humans/faces/tracked (hri_msgs/IdsList) up to date. fer-edge already sends the REP-155 word in `expression`,
and valence and arousal in [-1, 1], so the mapping is field for field.

Needs a ROS 2 installation with hri_msgs (ros4hri) and paho-mqtt 2.x:
    python3 examples/ros2-bridge.py --url mqtt://127.0.0.1:1883 --device robot-1
This is a sketch: fer-edge's tests check its message mapping (read_event, expression_message) against a sample
event with the ROS imports stubbed (test/python/test_ros2_bridge.py), not the node itself (no ROS 2 there).
"""
import argparse
import json
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
import rclpy
from hri_msgs.msg import Expression, IdsList
from rclpy.node import Node

# The event format this bridge reads (schemas/event.v1.schema.json in fer-edge); another version may differ.
EVENT_SCHEMA = "fer-edge/event@1"


def read_event(payload):
    """The event in an MQTT payload; ValueError saying why when it is not a fer-edge/event@1 event."""
    try:
        event = json.loads(payload)
    except ValueError:
        raise ValueError("malformed JSON") from None
    schema = event.get("schema") if isinstance(event, dict) else None
    if schema != EVENT_SCHEMA:
        raise ValueError(f"schema {schema!r}, not {EVENT_SCHEMA}")
    return event


def face_id_of(event):
    return f"fer{event['face_id']}"  # ROS4HRI ids are strings


def expression_message(event):
    """The hri_msgs/Expression of a new or update event, field for field."""
    msg = Expression()
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(int(event["ts"]) * 1_000_000, 1_000_000_000)
    msg.expression = event["expression"]  # angry, disgusted, scared, happy, sad, surprised, neutral
    msg.valence = float(event["valence"])
    msg.arousal = float(event["arousal"])
    msg.confidence = float(event["confidence"])
    return msg


class FerEdgeBridge(Node):
    def __init__(self, url: str, device: str, prefix: str):
        super().__init__("fer_edge_bridge")
        self.expression_publishers = {}
        self.tracked = IdsList()
        self.tracked_publisher = self.create_publisher(IdsList, "/humans/faces/tracked", 1)

        broker = urlparse(url)
        self.mqtt = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"ros2-bridge-{device}")
        self.mqtt.on_connect = lambda client, *_: client.subscribe(f"{prefix}/{device}/events", qos=1)
        self.mqtt.on_message = self.on_event
        self.mqtt.connect_async(broker.hostname, broker.port or 1883)
        self.mqtt.loop_start()  # paho's own thread; rclpy publishers are thread-safe

    def on_event(self, _client, _userdata, message):
        try:
            event = read_event(message.payload)
        except ValueError as error:
            self.get_logger().warning(f"ignoring an event on {message.topic}: {error}")
            return
        face_id = face_id_of(event)
        if event["type"] == "end":
            self.expression_publishers.pop(face_id, None)
            self.publish_tracked()
            return
        if face_id not in self.expression_publishers:
            topic = f"/humans/faces/{face_id}/expression"
            self.expression_publishers[face_id] = self.create_publisher(Expression, topic, 1)
            self.publish_tracked()
        self.expression_publishers[face_id].publish(expression_message(event))

    def publish_tracked(self):
        self.tracked.header.stamp = self.get_clock().now().to_msg()
        self.tracked.ids = sorted(self.expression_publishers)
        self.tracked_publisher.publish(self.tracked)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="mqtt://127.0.0.1:1883")
    parser.add_argument("--device", default="+", help="fer-edge device id (+ for all)")
    parser.add_argument("--prefix", default="fer-edge")
    args = parser.parse_args()
    rclpy.init()
    node = FerEdgeBridge(args.url, args.device, args.prefix)
    try:
        rclpy.spin(node)
    finally:
        node.mqtt.loop_stop()
        node.destroy_node()
        rclpy.shutdown()


if __name__ == "__main__":
    main()
