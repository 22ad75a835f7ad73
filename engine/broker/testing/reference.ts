/**
 * The reference broker the differential specs compare engine/broker with: real smqp 11. Every spec
 * and script imports it from here only, so it can be switched to an aliased package (once
 * `smqp` itself resolves to engine/broker) by changing this one line.
 */
export * as reference from 'smqp';
