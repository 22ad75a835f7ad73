/**
 * Jest setup: every engine state any suite produces is encoded, decoded and compared at once
 * (engine/persistence/compact-state.ts), so a state the compact encoding would not give back
 * exactly fails the command that wrote it.
 */
import { verifyEncodings } from '../../engine/persistence/compact-state';

verifyEncodings(true);
