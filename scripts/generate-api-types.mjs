/**
 * Writes modeler/src/api/schema.d.ts: the API's types, generated with openapi-typescript from the
 * server's OpenAPI document. The document is built from the TypeScript sources in Nest's preview
 * mode (no database, no server). `api/openapi/api-types.spec.ts` fails while the file is stale.
 *
 *   node scripts/generate-api-types.mjs            # write the file
 *   node scripts/generate-api-types.mjs --check    # exit 1 when it is stale
 */
import { createRequire } from 'node:module';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
require('../test/support/ts-register.cjs');
require('reflect-metadata');
const { generateApiTypes } = require('../api/openapi/api-types.ts');

const target = join(root, 'modeler/src/api/schema.d.ts');
const text = await generateApiTypes();
const current = await readFile(target, 'utf8').catch(() => null);
if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error(`${relative(root, target)} is stale: run node scripts/generate-api-types.mjs`);
    process.exit(1);
  }
  console.log(`${relative(root, target)} is up to date`);
} else if (current === text) {
  console.log(`${relative(root, target)} unchanged`);
} else {
  await writeFile(target, text);
  console.log(`wrote ${relative(root, target)} (${text.length} bytes)`);
}
