export { stageForUnprivileged, type UnprivilegedStage } from './unprivileged.js';
