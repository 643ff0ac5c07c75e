// Paths the test files share.

import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const js = fileURLToPath(new URL('..', import.meta.url));
export const repo = path.dirname(js);
export const out = path.join(js, 'test', 'out');
export const preparedFile = path.join(out, 'prepared.json');
