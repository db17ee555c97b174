#!/usr/bin/env node
// d365ic — Integration Console CLI. Runs the TypeScript sources directly (via tsx), so `npx d365ic …` works
// right after `npm install` with no build step, and shares every service with the desktop and browser hosts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./index.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
