import type { DeviceTopics } from './topics.js';

export interface DiscoveryMessage {
  topic: string;
  payload: string;
}

/**
 * Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/sensor.mqtt/): two sensors per device,
 * the dominant emotion and the face count, both read from the retained `summary` topic, available while `status` is
 * `online`. Published retained, so Home Assistant picks them up whenever it starts.
 */
export function homeAssistantDiscovery(discoveryPrefix: string, deviceId: string, topics: DeviceTopics): DiscoveryMessage[] {
  const nodeId = `fer_edge_${deviceId.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  const common = {
    state_topic: topics.summary,
    availability_topic: topics.status,
    payload_available: 'online',
    payload_not_available: 'offline',
    device: { identifiers: [nodeId], name: `fer-edge ${deviceId}`, manufacturer: 'fer-edge', model: 'fer-edge' },
  };
  const sensors = [
    { object: 'emotion', name: 'Emotion', value_template: '{{ value_json.emotion }}', icon: 'mdi:emoticon-outline' },
    {
      object: 'faces',
      name: 'Faces',
      value_template: '{{ value_json.faces }}',
      icon: 'mdi:account-group',
      state_class: 'measurement',
    },
  ];
  return sensors.map(({ object, ...sensor }) => ({
    topic: `${discoveryPrefix}/sensor/${nodeId}/${object}/config`,
    payload: JSON.stringify({ ...sensor, unique_id: `${nodeId}_${object}`, ...common }),
  }));
}
