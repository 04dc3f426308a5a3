import { makeTempDir, removeTempDir } from './temp-dir.js';

/**
 * Imported for its effect by the MQTT helpers: this test process and the `fer-edge` children it starts keep the MQTT
 * outbox (default `$XDG_STATE_HOME/fer-edge/mqtt-outbox/<device id>`) in a temp dir of their own, so that events one
 * run leaves undelivered never reach the next run, another worktree's tests, or the user's own state.
 */
if (!process.env.FER_EDGE_TEST_STATE_HOME) {
  const dir = makeTempDir('fer-edge-test-state-');
  process.env.FER_EDGE_TEST_STATE_HOME = dir;
  process.env.XDG_STATE_HOME = dir;
  process.once('exit', () => removeTempDir(dir));
}
