export { createMqttPublisher, MqttPublisher, type MqttConnectionState, type MqttPublisherState, type MqttPublisherEvents } from './publisher.js';
export { mqttConfigSchema, resolveMqttConfig, MQTT_ENV, type MqttConfig, type MqttConfigInput } from './config.js';
export { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
export { deviceTopics, type DeviceTopics } from './topics.js';
