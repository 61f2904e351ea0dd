// Entry of a replica worker thread: TypeScript sources go through tsx's loader, as in bin/frcnn.js.
import { register } from 'tsx/esm/api';

register();
await import('./replica-host.ts');
