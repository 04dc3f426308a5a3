export { DetectionSchedule, type DetectionDecision, type DetectionScheduleConfig, type DetectionTrigger } from './detection-schedule.js';
export { pictureChange } from './picture-change.js';
export { thumbnail, THUMBNAIL_WIDTH, type Thumbnail } from './thumbnail.js';
