// Where things are, for lab code that runs from its transpiled copy in build/js/test/lab/.
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const LAB_BUILD = fileURLToPath(new URL('./', import.meta.url));
export const TRACES = `${REPO}test/lab/traces/`;
export const BONDD = `${REPO}dist/bondd.js`;
