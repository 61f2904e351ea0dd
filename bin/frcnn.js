#!/usr/bin/env node
// The `frcnn` command. Sources are TypeScript run through tsx's loader, so the
// installed package and the repository execute the same files.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
