export { MainDialog, MAIN_DIALOG } from './main-dialog';
export type { DialogDeps } from './context';
export { PromptLanguage } from './language';
