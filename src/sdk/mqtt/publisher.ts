import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { FaceState } from '../events/event-schema.js';
import { childLogger } from '../../core/log.js';
import type { EmotionEvent, PipelineStats } from '../types.js';
import { backoffDelayMs } from './backoff.js';
import { ConfigError } from '../../core/errors.js';
import { outboxDir, readTlsMaterial, redactUrl, resolveMqttConfig, type MqttConfig } from './config.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import { FaceStates } from './face-states.js';
import { homeAssistantDiscovery } from './home-assistant.js';
import { EventOutbox, type OutboxEntry } from './outbox.js';
import { OutboxJournal } from './outbox-journal.js';
import { isLoginRefused, isPublishRefused, isVersionRefused } from './refusals.js';
import { retainedFaceIds } from './stale-faces.js';
import { deviceTopics, type DeviceTopics } from './topics.js';
import { within } from '../../core/within.js';

const logger = childLogger('mqtt');
const DROP_LOG_INTERVAL_MS = 30_000;
const STALE_FACES_TIMEOUT_MS = 5000;

/**
 * `connected`; `connecting` until the first attempt succeeds or fails; `unreachable` while the broker cannot be
 * reached (events queue); `refused` when the broker refused the login (a configuration error).
 */
export type MqttConnectionState = 'connected' | 'connecting' | 'unreachable' | 'refused';

/** What `PipelineStats.mqtt` carries, plus totals. */
export interface MqttPublisherState {
  connected: boolean;
  state: MqttConnectionState;
  /** Events accepted and not yet acknowledged by the broker. */
  queued: number;
  /** Of `queued`, the events held in the outbox on disk (they survive a restart). */
  spooled: number;
  /** Events dropped because the outbox was full. */
  dropped: number;
  /** Publishes the broker refused (MQTT 5 PUBACK reason code 0x80 or more, e.g. Not authorized by its ACL). */
  refused: number;
  /** Events acknowledged by the broker (PUBACK). */
  delivered: number;
}

export interface MqttPublisherEvents {
  connected: [];
  disconnected: [];
  /** The broker refused the login before this publisher ever connected: the configuration is wrong. */
  refused: [error: ConfigError];
  /** `state` changed. */
  state: [state: MqttConnectionState];
}

/**
 * Publishes a device's emotion events, face states, stats and status to an MQTT broker (DESIGN.md "MQTT conventions").
 *
 * Delivery: events go out at QoS 1 and count as delivered only on PUBACK. Accepted events wait in a bounded outbox
 * (`outbox.maxEvents`), on disk (`outbox.dir`) until acknowledged, while the broker is away and across restarts, and
 * are sent in order after (re)connecting; when the outbox is full the oldest waiting event is dropped, counted and
 * logged. mqtt.js's own offline queue is never used for events (it is unbounded): at most `maxInflight` events are
 * handed to the client at a time, only while connected. Delivery is at-least-once: an event in flight when the
 * connection drops (or the process stops) is re-sent and may arrive twice. Under MQTT 5 an event the broker refuses
 * (PUBACK reason code >= 0x80) is counted in `refused` and not re-sent. Face states and stats are not kept on disk: the
 * retained face states are snapshots re-sent on every connection, and retained ones an earlier run left behind are
 * cleared on the first connection.
 *
 * No method blocks the caller: publishEvent/publishStats return at once, whatever the broker's state.
 */
export class MqttPublisher extends EventEmitter<MqttPublisherEvents> {
  readonly topics: DeviceTopics;
  private readonly outbox: EventOutbox;
  private readonly faces: FaceStates;
  private readonly drainWaiters = new Set<() => void>();
  private unackedPublishes = 0;
  private reconnectAttempt = 0;
  private disconnectedAt: number | undefined;
  private everConnected = false;
  private lastErrorMessage: string | undefined;
  private lastDropLogAt = 0;
  private droppedAtLastLog = 0;
  private lastSummary: string | undefined;
  private pumping = false;
  private closing: Promise<void> | undefined;
  private connectionState: MqttConnectionState = 'connecting';
  private otherRefused = 0;
  private lastRefusedLogAt = 0;
  /** The first connection's clearing of face states an earlier run left; close() lets it finish. */
  private staleFacesCleared: Promise<boolean> | undefined;
  /** Set when the broker refused the login before the first connection. */
  private refusal: ConfigError | undefined;

  private constructor(
    readonly config: MqttConfig,
    readonly deviceId: string,
    /** The broker's URL, without password. */
    readonly brokerUrl: string,
    private readonly client: MqttClient,
    /** Set when no broker URL was configured and this publisher started its own. */
    readonly embeddedBroker: EmbeddedBroker | undefined,
    topics: DeviceTopics,
    journal: OutboxJournal | undefined,
    restored: readonly OutboxEntry[],
  ) {
    super();
    this.topics = topics;
    const { maxEvents } = config.outbox;
    this.outbox = new EventOutbox(maxEvents, Math.min(config.maxInflight, maxEvents), journal, restored);
    if (restored.length > 0) logger.info({ events: this.outbox.pending, dir: journal?.dir }, 'events from an earlier run wait in the MQTT outbox');
    this.faces = new FaceStates(config.faceStateIntervalMs);
    client.on('connect', () => this.onConnect());
    client.on('close', () => this.onClose());
    client.on('reconnect', () => this.onReconnectAttempt());
    client.on('error', (error) => this.onError(error));
  }

  /**
   * Validates `configInput` (the `mqtt` configuration section; FER_EDGE_MQTT_* variables override it), starts the
   * embedded broker when no URL is configured, and starts connecting. Resolves without waiting for the connection.
   */
  static async create(
    configInput: unknown,
    deviceId: string,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<MqttPublisher> {
    return MqttPublisher.connect(resolveMqttConfig(configInput, env), deviceId);
  }

  /** As create, with a configuration already validated (the `mqtt` section of a parsed pipeline configuration). */
  static async connect(config: MqttConfig, deviceId: string): Promise<MqttPublisher> {
    const topics = deviceTopics(config.topicPrefix, deviceId);
    const tls = readTlsMaterial(config.tls);
    const dir = outboxDir(config, deviceId);
    const { journal, entries } = dir ? OutboxJournal.open(dir) : { journal: undefined, entries: [] };
    let embeddedBroker: EmbeddedBroker | undefined;
    try {
      if (!config.url) embeddedBroker = await startEmbeddedBroker(config.embedded.host, config.embedded.port, config);
    } catch (error) {
      journal?.close();
      throw error;
    }
    const url = config.url ?? embeddedBroker!.url;
    const options: IClientOptions = {
      clientId: config.clientId ?? `fer-edge-${deviceId}`,
      username: config.username,
      password: config.password,
      // The embedded aedes broker speaks MQTT 3.1.1 only.
      protocolVersion: embeddedBroker ? 4 : config.protocolVersion,
      keepalive: config.keepaliveSec,
      // No subscriptions and our own outbox: a persistent session would add nothing but broker-side state.
      clean: true,
      reconnectPeriod: config.reconnect.minDelayMs,
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      queueQoSZero: false,
      resubscribe: false,
      will: { topic: topics.status, payload: Buffer.from('offline'), qos: 1, retain: true },
      ...tls,
      rejectUnauthorized: config.tls?.rejectUnauthorized ?? true,
    };
    let client: MqttClient;
    try {
      client = mqtt.connect(url, options);
    } catch (error) {
      journal?.close();
      await embeddedBroker?.close();
      throw error;
    }
    logger.info(
      { url: redactUrl(url), device: deviceId, embedded: Boolean(embeddedBroker), mqtt_version: options.protocolVersion === 5 ? 5 : '3.1.1', outbox: dir ?? 'memory' },
      'connecting to MQTT broker',
    );
    return new MqttPublisher(config, deviceId, redactUrl(url), client, embeddedBroker, topics, journal, entries);
  }

  /** A shell command that shows this device's messages, for the CLI to print (mosquitto-clients' mosquitto_sub). */
  get subscribeCommand(): string {
    const url = new URL(this.brokerUrl);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const tlsHint = url.protocol === 'mqtts:' ? ' --cafile <ca.pem>' : '';
    const port = url.port ? ` -p ${url.port}` : '';
    return `mosquitto_sub -h ${host}${port}${tlsHint} -t '${this.topics.base}#' -v`;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  get state(): MqttPublisherState {
    return {
      connected: this.client.connected,
      state: this.connectionState,
      queued: this.outbox.pending,
      spooled: this.outbox.spooled,
      dropped: this.outbox.dropped,
      refused: this.outbox.refused + this.otherRefused,
      delivered: this.outbox.delivered,
    };
  }

  /** The figures of `PipelineStats.mqtt`. */
  get stats(): NonNullable<PipelineStats['mqtt']> {
    const { connected, state, queued, spooled, dropped, refused } = this.state;
    return { connected, state, queued, spooled, dropped, refused };
  }

  /** The MQTT version of the current (or next) connection: 5, or 4 (3.1.1) when configured or after the broker refused 5. */
  get protocolVersion(): 4 | 5 {
    return this.client.options.protocolVersion === 5 ? 5 : 4;
  }

  /** The broker refused the login before the first connection (wrong or missing credentials): a configuration error. */
  get loginRefusal(): ConfigError | undefined {
    return this.refusal;
  }

  /** Calls `listener` once the broker refuses the login before the first connection (at once if it already has). */
  onLoginRefused(listener: (error: ConfigError) => void): void {
    if (this.refusal) listener(this.refusal);
    else this.once('refused', listener);
  }

  /** Queues an event for `events` (QoS 1) and refreshes the retained `faces/<id>` state at once ('end' clears it). */
  publishEvent(event: EmotionEvent): void {
    if (this.closing) {
      logger.debug({ face: event.face_id }, 'publisher is closing; event not accepted');
      return;
    }
    this.faces.update(event);
    if (!this.outbox.add(JSON.stringify(event))) this.logDrops();
    this.pump();
  }

  /**
   * Updates the retained `faces/<id>` with the tracker's per-frame state (e.g. `visible: false` while a track coasts);
   * published at most once per `faceStateIntervalMs` per face. Optional: events alone keep `faces/<id>` current.
   */
  publishFaceState(state: FaceState): void {
    if (this.closing) return;
    this.faces.set(state);
    this.pump();
  }

  /** Publishes stats (QoS 0, not retained) with this publisher's own figures in `mqtt`; skipped while disconnected. */
  publishStats(stats: PipelineStats): void {
    if (!this.client.connected || this.closing) return;
    this.client.publish(this.topics.stats, JSON.stringify({ ...stats, mqtt: this.stats }), { qos: 0 });
  }

  /** Resolves true once connected, false after `timeoutMs`. */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.client.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const onConnected = () => finish(true);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.off('connected', onConnected);
        resolve(ok);
      };
      this.once('connected', onConnected);
    });
  }

  /** Resolves true once every accepted event is acknowledged, false after `timeoutMs`. */
  waitDrained(timeoutMs: number): Promise<boolean> {
    if (this.outbox.pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const onDrained = () => finish(true);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.drainWaiters.delete(onDrained);
        resolve(ok);
      };
      this.drainWaiters.add(onDrained);
    });
  }

  /**
   * While connected (or still making the first connection), waits up to `closeTimeoutMs` for queued events to be
   * acknowledged and publishes `offline`; then disconnects, leaves what is unacknowledged in the outbox on disk, and
   * stops the embedded broker if this publisher started it. With the broker known to be unreachable it does not wait.
   * Safe to call more than once.
   */
  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    const deadline = Date.now() + this.config.closeTimeoutMs;
    // A first connection still under way (a broker not yet known to be unreachable) gets the same time to come up.
    if (this.outbox.pending > 0) await this.firstAttemptSettled(this.config.closeTimeoutMs);
    if (this.client.connected) await this.waitDrained(Math.max(0, deadline - Date.now()));
    if (this.client.connected && this.staleFacesCleared) await within(this.staleFacesCleared, deadline - Date.now(), false);
    if (this.client.connected) {
      await within(this.publishQos1(this.topics.status, 'offline', true), deadline - Date.now(), false);
    }
    const { queued, spooled, delivered, dropped, refused } = this.state;
    if (queued > 0 && spooled >= queued) {
      logger.info({ unacknowledged: queued, delivered, dropped, refused }, 'MQTT publisher closed; unacknowledged events stay in the outbox on disk for the next start');
    } else if (queued > 0) {
      logger.warn({ lost: queued - spooled, spooled, delivered, dropped, refused }, 'MQTT publisher closed with events the broker did not acknowledge and that are not on disk: they are lost');
    } else {
      logger.info({ delivered, dropped, refused }, 'MQTT publisher closed');
    }
    // A clean DISCONNECT waits for every unacknowledged publish: force it when something is still out.
    const force = !this.client.connected || this.unackedPublishes > 0;
    await this.client.endAsync(force);
    this.outbox.close();
    await this.embeddedBroker?.close();
  }

  private onConnect(): void {
    const sinceMs = this.disconnectedAt === undefined ? 0 : Date.now() - this.disconnectedAt;
    const details = { url: this.brokerUrl, queued: this.outbox.pending, waited_s: sinceMs / 1000 };
    logger.info(details, this.everConnected ? 'reconnected to MQTT broker' : 'connected to MQTT broker');
    this.everConnected = true;
    this.setState('connected');
    this.disconnectedAt = undefined;
    this.reconnectAttempt = 0;
    this.lastErrorMessage = undefined;
    this.client.options.reconnectPeriod = this.config.reconnect.minDelayMs;

    this.staleFacesCleared ??= this.clearStaleFaces();
    void this.publishQos1(this.topics.status, 'online', true);
    if (this.config.homeAssistant.enabled) {
      for (const { topic, payload } of homeAssistantDiscovery(this.config.homeAssistant.discoveryPrefix, this.deviceId, this.topics)) {
        void this.publishQos1(topic, payload, true);
      }
    }
    // The broker may have restarted without its retained messages: send the current face states again.
    this.faces.markAllDue();
    this.lastSummary = undefined;
    this.emit('connected');
    this.pump();
  }

  private onClose(): void {
    if (this.connectionState !== 'refused') this.setState('unreachable');
    if (this.disconnectedAt !== undefined) return;
    this.disconnectedAt = Date.now();
    if (!this.closing) {
      logger.warn(
        { url: this.brokerUrl, queued: this.outbox.pending, outbox_size: this.outbox.capacity },
        this.everConnected ? 'MQTT connection lost; queuing events until the broker is back' : 'cannot reach the MQTT broker yet; queuing events and retrying',
      );
    }
    this.emit('disconnected');
  }

  private onReconnectAttempt(): void {
    this.reconnectAttempt++;
    const { minDelayMs, maxDelayMs } = this.config.reconnect;
    // mqtt.js reads reconnectPeriod each time it schedules the next attempt.
    this.client.options.reconnectPeriod = backoffDelayMs(this.reconnectAttempt, minDelayMs, maxDelayMs);
    logger.debug({ attempt: this.reconnectAttempt, next_delay_ms: this.client.options.reconnectPeriod }, 'reconnecting');
  }

  private onError(error: Error): void {
    if (isVersionRefused(error) && this.client.options.protocolVersion === 5) {
      logger.info({ url: this.brokerUrl }, 'the MQTT broker does not speak MQTT 5; using MQTT 3.1.1, under which a publish the broker refuses cannot be seen');
      this.client.options.protocolVersion = 4;
      // mqtt.js schedules the next attempt after this event, with this period: try 3.1.1 at once.
      this.client.options.reconnectPeriod = 10;
      this.reconnectAttempt = -1;
      return;
    }
    if (isLoginRefused(error)) this.onLoginRefusedByBroker(error);
    else if (!this.client.connected) this.setState('unreachable');
    // One line per distinct error per outage: a broker that stays away for hours must not flood the log.
    if (error.message === this.lastErrorMessage) return;
    this.lastErrorMessage = error.message;
    logger.warn({ url: this.brokerUrl, err: error.message }, 'MQTT error');
  }

  private setState(state: MqttConnectionState): void {
    if (state === this.connectionState) return;
    this.connectionState = state;
    this.emit('state', state);
  }

  /** Resolves once the first connection attempt has succeeded or failed, or after `timeoutMs`. */
  private firstAttemptSettled(timeoutMs: number): Promise<void> {
    if (this.connectionState !== 'connecting') return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.off('state', finish);
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.on('state', finish);
    });
  }

  private onLoginRefusedByBroker(error: Error): void {
    this.setState('refused');
    if (this.everConnected || this.refusal) return;
    const why = error.message.replace(/^Connection refused: /, '');
    this.refusal = new ConfigError(
      `the MQTT broker ${this.brokerUrl} refused the login (${why}): check mqtt.username and mqtt.password ` +
        `(or FER_EDGE_MQTT_USERNAME and FER_EDGE_MQTT_PASSWORD)`,
    );
    this.emit('refused', this.refusal);
  }

  /** Clears the retained faces/<id> an earlier run of this device left (it was killed before it could). */
  private async clearStaleFaces(): Promise<boolean> {
    const stale = (await retainedFaceIds(this.client, this.topics.face(0).slice(0, -1), STALE_FACES_TIMEOUT_MS)).filter(
      (id) => !this.faces.has(id),
    );
    if (stale.length === 0) return true;
    logger.info({ faces: stale }, 'clearing retained face states an earlier run left');
    const cleared = await Promise.all(stale.map((id) => this.publishQos1(this.topics.face(id), '', true)));
    return cleared.every(Boolean);
  }

  /** Hands waiting events and face states to the client, within the in-flight window, while connected. */
  private pump(): void {
    if (this.pumping || !this.client.connected) return;
    this.pumping = true;
    try {
      for (let entry = this.outbox.next(); entry; entry = this.outbox.next()) {
        const { seq } = entry;
        this.client.publish(this.topics.events, entry.payload, { qos: 1 }, (error) => {
          const refused = error ? isPublishRefused(error) : false;
          if (!error) this.outbox.acked(seq);
          else if (refused) this.outbox.refusedByBroker(seq);
          else this.outbox.failed(seq);
          if (error && refused) this.logRefused(this.topics.events, error);
          this.onOutboxProgress(!error || refused);
        });
      }
      this.publishFaceStates();
    } finally {
      this.pumping = false;
    }
  }

  private onOutboxProgress(sendMore: boolean): void {
    if (this.outbox.pending === 0) for (const waiter of [...this.drainWaiters]) waiter();
    // After an error wait for the next connection rather than retrying in a tight loop.
    if (sendMore) this.pump();
  }

  private publishFaceStates(): void {
    const { states, clears } = this.faces.takeDue(Date.now());
    for (const state of states) {
      void this.publishQos1(this.topics.face(state.face_id), JSON.stringify(state), true).then((ok) => {
        if (!ok) this.faces.stateFailed(state.face_id);
      });
    }
    for (const faceId of clears) {
      void this.publishQos1(this.topics.face(faceId), '', true).then((ok) =>
        ok ? this.faces.clearDone(faceId) : this.faces.clearFailed(faceId),
      );
    }
    if (this.config.homeAssistant.enabled) {
      const summary = JSON.stringify({ faces: this.faces.size, emotion: this.faces.nearest()?.emotion ?? 'none' });
      if (summary !== this.lastSummary) {
        this.lastSummary = summary;
        void this.publishQos1(this.topics.summary, summary, true).then((ok) => {
          if (!ok) this.lastSummary = undefined;
        });
      }
    }
  }

  /** Resolves true on PUBACK, false if the client gave the message back (it never reached its store) or the broker refused it. */
  private publishQos1(topic: string, payload: string, retain: boolean): Promise<boolean> {
    this.unackedPublishes++;
    return new Promise((resolve) => {
      this.client.publish(topic, payload, { qos: 1, retain }, (error) => {
        this.unackedPublishes--;
        if (error && isPublishRefused(error)) {
          this.otherRefused++;
          this.logRefused(topic, error);
        }
        resolve(!error);
      });
    });
  }

  private logRefused(topic: string, error: Error): void {
    const now = Date.now();
    if (now - this.lastRefusedLogAt < DROP_LOG_INTERVAL_MS) return;
    this.lastRefusedLogAt = now;
    logger.warn({ topic, err: error.message, refused_total: this.state.refused }, 'the MQTT broker refused a publish (check its ACL for this user); refused events are not re-sent');
  }

  private logDrops(): void {
    const now = Date.now();
    if (now - this.lastDropLogAt < DROP_LOG_INTERVAL_MS) return;
    logger.warn(
      { dropped_total: this.outbox.dropped, dropped_since_last_log: this.outbox.dropped - this.droppedAtLastLog, outbox_size: this.outbox.capacity },
      'MQTT outbox full: dropping the oldest queued events',
    );
    this.lastDropLogAt = now;
    this.droppedAtLastLog = this.outbox.dropped;
  }
}

/** See MqttPublisher.create. */
export function createMqttPublisher(configInput: unknown, deviceId: string, env?: NodeJS.ProcessEnv): Promise<MqttPublisher> {
  return MqttPublisher.create(configInput, deviceId, env);
}
