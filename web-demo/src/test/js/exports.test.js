// The module's runtime exports are exactly what switchboard.d.ts declares (BrowserModuleIT proves the
// same in Chromium), and no webroot module outgrows the ~400-line bound.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import * as switchboard from '../../main/resources/webroot/switchboard.js';

const webroot = new URL('../../main/resources/webroot/', import.meta.url);

test('the runtime exports are exactly the declared values', () => {
  const types = readFileSync(new URL('switchboard.d.ts', webroot), 'utf8');
  const declared = [...types.matchAll(/export declare (?:class|const|function) (\w+)/g)].map((m) => m[1]).sort();
  assert.deepEqual(Object.keys(switchboard).sort(), declared);
});

test('no client module is over 400 lines', () => {
  for (const name of readdirSync(webroot).filter((n) => n.endsWith('.js'))) {
    const lines = readFileSync(new URL(name, webroot), 'utf8').split('\n').length;
    assert.ok(lines <= 400, `${name}: ${lines} lines`);
  }
});
