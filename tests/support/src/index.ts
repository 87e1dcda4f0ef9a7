export { runExample } from './run-example.js';
export { runsAsRoot, stageForUnprivileged, type UnprivilegedStage } from './unprivileged.js';
