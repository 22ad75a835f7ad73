/**
 * The reference broker the differential specs compare engine/broker with: real smqp 11. Every spec
 * imports it from here only, so it can be switched to an aliased package (once `smqp` itself
 * resolves to engine/broker) by changing this one line.
 *
 * Not `from 'smqp'`: inside engine/broker, whose package.json is named smqp and has `exports`, Node
 * and jest resolve the bare name to engine/broker itself (package self-reference).
 */
export * as reference from '../../../node_modules/smqp';
