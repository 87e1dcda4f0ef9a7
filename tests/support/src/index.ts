export { runsAsRoot, stageForUnprivileged, type UnprivilegedStage } from './unprivileged.js';
