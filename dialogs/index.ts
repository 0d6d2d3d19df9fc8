export { MainDialog, MAIN_DIALOG } from './main-dialog';
export type { DialogDeps } from './context';
export { RECENT_TEXTS } from './handoff-dialog';
export { PromptLanguage } from './language';
