/**
 * The reference broker the differential specs compare engine/broker with: real smqp 11, installed as
 * the dev dependency `smqp-reference` (`npm:smqp@11.0.1`), `smqp` itself being engine/broker
 * (package.json `overrides`). Every spec imports it from here only.
 *
 * Not `from 'smqp'`: inside engine/broker, whose package.json is named smqp and has `exports`, Node
 * and jest resolve the bare name to engine/broker itself (package self-reference).
 */
export * as reference from 'smqp-reference';
