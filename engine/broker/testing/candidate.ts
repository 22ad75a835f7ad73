/** The broker under test, engine/broker, loaded from its package entry (as `require('smqp')` would once installed). */
export * as candidate from '..';
