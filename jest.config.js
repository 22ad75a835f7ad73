/** One jest run: unit specs beside the code, integration and e2e suites under test/. */
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

/**
 * Suites that run diagrams from the shared corpus (../shared/corpus, beside a checkout, not in the
 * repository) are left out where it is absent, instead of reporting a placeholder test.
 */
const corpusSuites = existsSync(join(__dirname, '..', 'shared', 'corpus'))
  ? []
  : ['/test/conformance/corpus\\.e2e-spec\\.ts$', '/test/integration/corpus\\.e2e-spec\\.ts$', '/engine/definitions/corpus\\.spec\\.ts$', '/test/hostile/input-corpus\\.e2e-spec\\.ts$'];
/**
 * `smqp` is installed as engine/broker (package.json `overrides`). ITSM_BROKER=smqp11 runs every
 * suite on smqp 11 instead (the dev dependency smqp-reference), ITSM_BROKER_PATH=<dir> on another
 * broker package: moduleNameMapper also applies to the requires of bpmn-elements and bpmn-engine
 * inside node_modules (test/broker/broker-mapping.spec.ts checks it). Suites that spawn their own
 * server processes do not get it (test/bench/BROKER.md lists them).
 */
const brokerPath = process.env.ITSM_BROKER_PATH
  ? resolve(process.env.ITSM_BROKER_PATH)
  : process.env.ITSM_BROKER === 'smqp11' ? join(__dirname, 'node_modules', 'smqp-reference') : null;
const brokerMapping = brokerPath ? { '^smqp$': brokerPath } : {};
const esmPackages = [
  'feelin', 'lezer-feel', '@lezer', 'temporal-polyfill', 'temporal-utils', 'temporal-spec',
  'min-dash', 'moddle', 'moddle-xml', 'saxen', 'bpmn-moddle', 'dmn-moddle',
];
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/engine', '<rootDir>/api', '<rootDir>/processes', '<rootDir>/test'],
  testRegex: '\\.(spec|int-spec|e2e-spec)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json', 'cjs', 'mjs'],
  transform: { '^.+\\.(t|j|mj)s$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/modeler/', '/test/browser/', ...corpusSuites],
  moduleNameMapper: brokerMapping,
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/support/verify-snapshots.ts'],
};
