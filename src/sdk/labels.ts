/** FER2013 index order, used everywhere in fer-edge. */
export const EMOTION_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type EmotionLabel = (typeof EMOTION_LABELS)[number];

/** ROS4HRI (REP-155) expression words, index-aligned with EMOTION_LABELS. */
export const REP155_EXPRESSIONS = ['angry', 'disgusted', 'scared', 'happy', 'sad', 'surprised', 'neutral'] as const;
export type Rep155Expression = (typeof REP155_EXPRESSIONS)[number];
