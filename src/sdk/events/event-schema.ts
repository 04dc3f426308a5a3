import { z } from 'zod';
import { EMOTION_LABELS, REP155_EXPRESSIONS, type EmotionLabel, type Rep155Expression } from '../labels.js';

/**
 * The one definition of what fer-edge publishes: EmotionEvent and FaceState are derived from these schemas, and
 * scripts/generate-schemas.ts writes them to schemas/*.schema.json, the files subscribers validate against.
 * Every payload names its schema in `schema`; a change a subscriber could trip over gets a new version.
 */
export const EVENT_SCHEMA_ID = 'fer-edge/event@1';
export const FACE_STATE_SCHEMA_ID = 'fer-edge/face-state@1';

const unit = z.number().min(0).max(1);
const signedUnit = z.number().min(-1).max(1);

const boxSchema = z.object({ x: z.number(), y: z.number(), width: z.number().positive(), height: z.number().positive() }).strict();

const probabilitiesSchema = z
  .object(Object.fromEntries(EMOTION_LABELS.map((label) => [label, unit])) as Record<EmotionLabel, typeof unit>)
  .strict();

const emotionFields = {
  face_id: z.number().int().positive().describe('The tracked face, the same on every event and state of that face.'),
  emotion: z.enum(EMOTION_LABELS).describe('The dominant emotion (after hysteresis), a FER2013 label.'),
  expression: z.enum(REP155_EXPRESSIONS).describe('The ROS4HRI (REP-155) word for `emotion`.'),
  confidence: unit.describe('The smoothed probability of `emotion`.'),
  probabilities: probabilitiesSchema.describe('The smoothed probability of each emotion.'),
  valence: signedUnit.describe('Derived from the probabilities: the expectation of a fixed point per emotion on the circumplex of affect.'),
  arousal: signedUnit.describe('Derived from the probabilities, as `valence` is.'),
  box: boxSchema.describe('The face, in frame pixels.'),
  frame_seq: z.number().int().min(0).describe('The sequence number of the frame that produced it, from 0.'),
  ts: z.number().int().positive().describe('Milliseconds since the Unix epoch, of the frame that produced it.'),
};

// `expression` is the REP-155 word of `emotion`. A refinement has no JSON Schema form, so the same rule is given to
// toJSONSchema by hand: for each emotion, if `emotion` is it then `expression` is its word.
const expressionOfEmotion = (value: { emotion: EmotionLabel; expression: Rep155Expression }): boolean =>
  REP155_EXPRESSIONS[EMOTION_LABELS.indexOf(value.emotion)] === value.expression;
const expressionIssue = { message: 'expression must be the REP-155 word of emotion', path: ['expression'] };
const expressionOfEmotionJson = EMOTION_LABELS.map((emotion, i) => ({
  if: { properties: { emotion: { const: emotion } }, required: ['emotion'] },
  then: { properties: { expression: { const: REP155_EXPRESSIONS[i] } } },
}));

/**
 * What robot code receives, on MQTT `<prefix>/<device>/events` and from the SDK's emitter. Snake case: it is a wire
 * format.
 */
export const emotionEventSchema = z
  .object({
    schema: z.literal(EVENT_SCHEMA_ID).describe('The schema of this payload, checked before reading the rest.'),
    type: z.enum(['new', 'update', 'end']).describe('new: a face appeared; update: its dominant emotion changed; end: it was lost.'),
    ...emotionFields,
  })
  .strict()
  .refine(expressionOfEmotion, expressionIssue)
  .meta({
    $id: EVENT_SCHEMA_ID,
    title: 'fer-edge emotion event',
    description:
      'Published on MQTT `<prefix>/<device>/events` (QoS 1) when a face appears, when its dominant emotion changes (with hysteresis), and when it is lost; `expression` is the REP-155 word of `emotion`.',
    allOf: expressionOfEmotionJson,
  });
export type EmotionEvent = z.output<typeof emotionEventSchema>;
export type EmotionEventType = EmotionEvent['type'];

/** The current state of one face, for the retained `faces/<id>` topic. */
export const faceStateSchema = z
  .object({
    schema: z.literal(FACE_STATE_SCHEMA_ID).describe('The schema of this payload, checked before reading the rest.'),
    ...emotionFields,
    since_ts: z.number().int().positive().describe('When the current dominant emotion began, in milliseconds since the Unix epoch.'),
    visible: z.boolean().describe('False while the track coasts through a detection gap.'),
  })
  .strict()
  .refine(expressionOfEmotion, expressionIssue)
  .meta({
    $id: FACE_STATE_SCHEMA_ID,
    title: 'fer-edge face state',
    description:
      'The current state of one face, retained on MQTT `<prefix>/<device>/faces/<face_id>` and cleared (an empty message) when the face ends; `expression` is the REP-155 word of `emotion`.',
    allOf: expressionOfEmotionJson,
  });
export type FaceState = z.output<typeof faceStateSchema>;
