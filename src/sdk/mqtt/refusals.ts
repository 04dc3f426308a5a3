/** How the broker answered a CONNECT or a PUBLISH, from the reason code mqtt.js puts on its errors (`error.code`). */

/** CONNACK codes meaning the credentials (or their absence) were refused: MQTT 3.1.1 4 and 5; MQTT 5 0x86, 0x87, 0x8A (banned), 0x8C (bad authentication method). */
const LOGIN_REFUSED = new Set([4, 5, 0x86, 0x87, 0x8a, 0x8c]);

/** CONNACK codes for a protocol version the broker does not speak: MQTT 3.1.1 1; MQTT 5 0x84. */
const VERSION_REFUSED = new Set([1, 0x84]);

function reasonCode(error: Error): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** The broker refused the login (a CONNACK error). */
export function isLoginRefused(error: Error): boolean {
  const code = reasonCode(error);
  return code !== undefined && LOGIN_REFUSED.has(code) && error.message.startsWith('Connection refused');
}

export function isVersionRefused(error: Error): boolean {
  const code = reasonCode(error);
  return code !== undefined && VERSION_REFUSED.has(code) && error.message.startsWith('Connection refused');
}

/** An MQTT 5 PUBACK with a failure reason code (0x80 or more): the broker received the message and will not deliver it. */
export function isPublishRefused(error: Error): boolean {
  const code = reasonCode(error);
  return code !== undefined && code >= 0x80 && error.message.startsWith('Publish error');
}
