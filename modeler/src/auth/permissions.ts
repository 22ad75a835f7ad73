import { hasRole } from './session';

/**
 * What the signed-in user's roles allow, to hide actions they cannot take. The server decides
 * anyway (and answers 403 with the reason); this only spares users buttons that cannot work.
 */
export const can = {
  /** Deploy (and suspend) process definitions. */
  deploy: (): boolean => hasRole('admin'),
  /** Start process instances. */
  startInstances: (): boolean => hasRole('staff', 'process-owner', 'admin'),
  /** Claim, unclaim and complete tasks (those the diagram offers them as assignee or candidate); auditors only read. */
  workOnTasks: (): boolean => hasRole('staff', 'process-owner', 'admin'),
};
