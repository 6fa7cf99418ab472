/** `node --import ./test/chaos/ts-register.mjs file.ts`: runs TypeScript through ts-hooks.mjs. */
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
