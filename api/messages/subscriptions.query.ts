import { Inject, Injectable } from '@nestjs/common';
import { AccessService, SqlParams } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import type { Page } from '../common/validation';
import { Database } from '../database/database';

/** A waiting message or signal catch (`instanceId` null: a start event of the latest version). */
export interface SubscriptionView {
  id: string;
  kind: 'message' | 'signal';
  name: string;
  correlationKey: string | null;
  instanceId: string | null;
  definitionId: string;
  definitionKey: string;
  elementId: string;
  elementType: string;
  executionId: string | null;
  createdAt: string;
}

/** Read side of `event_subscription`. */
@Injectable()
export class SubscriptionsQuery {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  /** The subscriptions `viewer` may see: all for admins and auditors, those of owned keys for process owners. */
  async list(f: { instanceId?: string; definitionKey?: string; kind?: string; name?: string; page: number; size: number }, viewer: AuthUser): Promise<Page<SubscriptionView>> {
    const p = new SqlParams([f.instanceId ?? null, f.definitionKey ?? null, f.kind ?? null, f.name ?? null]);
    const visible = this.access.visibility(viewer, p).byKey('event_subscription.definition_key');
    const where =
      `($1::uuid IS NULL OR instance_id = $1) AND ($2::text IS NULL OR definition_key = $2) AND ($3::text IS NULL OR kind = $3) ` +
      `AND ($4::text IS NULL OR name = $4) AND ${visible}`;
    const params = [...p.values];
    const limit = `LIMIT ${p.add(f.size, 'int')} OFFSET ${p.add((f.page - 1) * f.size, 'int')}`;
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(
        `SELECT id, kind, name, correlation_key, instance_id, definition_id, definition_key, element_id, element_type, execution_id, created_at
           FROM event_subscription WHERE ${where} ORDER BY created_at, id ${limit}`,
        p.values,
      ),
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM event_subscription WHERE ${where}`, params),
    ]);
    return {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw pg rows
      items: rows.map((r: any) => ({
        id: r.id, kind: r.kind, name: r.name, correlationKey: r.correlation_key, instanceId: r.instance_id, definitionId: r.definition_id,
        definitionKey: r.definition_key, elementId: r.element_id, elementType: r.element_type, executionId: r.execution_id,
        createdAt: new Date(r.created_at).toISOString(),
      })),
      page: f.page,
      size: f.size,
      total: count[0].total,
    };
  }
}
