import { z } from 'zod';
import { EMOTION_LABELS, REP155_EXPRESSIONS } from '../types.js';

const unit = z.number().min(0).max(1);
const signedUnit = z.number().min(-1).max(1);

const boxSchema = z.object({ x: z.number(), y: z.number(), width: z.number().positive(), height: z.number().positive() }).strict();

const probabilitiesSchema = z
  .object(Object.fromEntries(EMOTION_LABELS.map((label) => [label, unit])) as Record<(typeof EMOTION_LABELS)[number], typeof unit>)
  .strict();

const emotionFields = {
  face_id: z.number().int().positive(),
  emotion: z.enum(EMOTION_LABELS),
  expression: z.enum(REP155_EXPRESSIONS),
  confidence: unit,
  probabilities: probabilitiesSchema,
  valence: signedUnit,
  arousal: signedUnit,
  box: boxSchema,
  frame_seq: z.number().int().min(0),
  ts: z.number().int().positive(),
};

/** The wire format of an EmotionEvent (types.ts), for publishers, subscribers and tests. */
export const emotionEventSchema = z
  .object({ type: z.enum(['new', 'update', 'end']), ...emotionFields })
  .strict()
  .refine((event) => REP155_EXPRESSIONS[EMOTION_LABELS.indexOf(event.emotion)] === event.expression, {
    message: 'expression must be the REP-155 word of emotion',
    path: ['expression'],
  });

/** The current state of one face, for the retained `faces/<id>` topic. */
export const faceStateSchema = z
  .object({
    ...emotionFields,
    /** When the current dominant emotion began (ms since the epoch). */
    since_ts: z.number().int().positive(),
    /** False while the track coasts through a detection gap. */
    visible: z.boolean(),
  })
  .strict();
export type FaceState = z.output<typeof faceStateSchema>;
