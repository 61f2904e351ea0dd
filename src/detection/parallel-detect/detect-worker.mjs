// Entry of a detection worker thread: TypeScript sources go through tsx's loader, as in bin/frcnn.js.
import { register } from 'tsx/esm/api';

register();
await import('./detect-host.ts');
