import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '../../engine';
import { Database } from '../database/database';
import { CLOCK } from '../engine-host/tokens';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw rows of reviewed SQL, read column by column
type Row = Record<string, any>;

/** A share: `count` of `total`, and the percentage (2 decimals; null when total is 0). */
export interface Ratio {
  count: number;
  total: number;
  pct: number | null;
}

export interface IncidentPriorityKpis {
  priority: string | null;
  opened: number;
  /** Mean time to acknowledge / to resolve, in ms (business time from the SLA clocks when they exist). */
  mttaMs: number | null;
  mttrMs: number | null;
  responseMet: Ratio;
  resolutionMet: Ratio;
}

export interface KpiReport {
  from: string;
  to: string;
  incident?: IncidentPriorityKpis & { byPriority: IncidentPriorityKpis[]; reopenRate: Ratio; backlog: { '0-2d': number; '3-7d': number; '>7d': number; total: number } };
  request?: { opened: number; fulfilledWithinTarget: Ratio };
  problem?: { opened: number; rcaOnTime: Ratio };
  change?: { closed: number; successRate: Ratio; emergency: Ratio; reviewCompleted: Ratio };
  nc?: { closed: number; avgClosureMs: number | null; effectiveAtFirstCheck: Ratio };
}

const DAY_MS = 86_400_000;

/** The KPIs of README "KPIs", SQL statements over the record table (indexes: type + opened_at / closed_at, the covering ones of migration 1765700000001); on the read source (a replica when DATABASE_READ_URL is set). */
@Injectable()
export class KpisQuery {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async report(input: { flow?: string; from?: string; to?: string }): Promise<KpiReport> {
    const to = input.to ? new Date(input.to) : this.clock.now();
    const from = input.from ? new Date(input.from) : new Date(to.getTime() - 30 * DAY_MS);
    const window = [from.toISOString(), to.toISOString()];
    const wants = (type: string) => !input.flow || input.flow === type;
    const report: KpiReport = { from: window[0]!, to: window[1]! };
    const [incident, request, problem, change, nc] = await Promise.all([
      wants('incident') ? this.incident(window) : undefined,
      wants('request') ? this.request(window) : undefined,
      wants('problem') ? this.problem(window) : undefined,
      wants('change') ? this.change(window) : undefined,
      wants('nc') ? this.nc(window) : undefined,
    ]);
    return { ...report, ...(incident && { incident }), ...(request && { request }), ...(problem && { problem }), ...(change && { change }), ...(nc && { nc }) };
  }

  private async incident(window: string[]): Promise<KpiReport['incident']> {
    // each statement reads one index alone (migration 1765700000001): the SLA columns from
    // ix_record_kpi_opened; the reopened ones from ix_record_kpi_reopened, whose predicate this WHERE repeats
    const [rows, reopened, backlog] = await Promise.all([
      this.db.lagging(
      `SELECT GROUPING(priority) AS total_row, priority,
              count(*)::int AS opened,
              round(avg(COALESCE(response_elapsed_ms, extract(epoch FROM acknowledged_at - opened_at) * 1000)) FILTER (WHERE acknowledged_at IS NOT NULL)) AS mtta_ms,
              round(avg(COALESCE(resolution_elapsed_ms, extract(epoch FROM resolved_at - opened_at) * 1000)) FILTER (WHERE resolved_at IS NOT NULL)) AS mttr_ms,
              count(*) FILTER (WHERE response_met)::int AS response_met, count(response_met)::int AS response_measured,
              count(*) FILTER (WHERE resolution_met)::int AS resolution_met, count(resolution_met)::int AS resolution_measured,
              count(resolved_at)::int AS resolved
         FROM record WHERE type = 'incident' AND opened_at >= $1 AND opened_at < $2
        GROUP BY GROUPING SETS ((priority), ())
        ORDER BY GROUPING(priority), priority NULLS LAST`,
        window,
      ),
      this.db.lagging(
        `SELECT count(*)::int AS reopened FROM record
          WHERE type = 'incident' AND opened_at >= $1 AND opened_at < $2 AND resolved_at IS NOT NULL AND COALESCE(record_num(fields -> 'reopenCount'), 0) > 0`,
        window,
      ),
      this.db.lagging(
        `SELECT count(*) FILTER (WHERE $1::timestamptz - opened_at < interval '3 days')::int AS a,
                count(*) FILTER (WHERE $1::timestamptz - opened_at >= interval '3 days' AND $1::timestamptz - opened_at < interval '8 days')::int AS b,
                count(*) FILTER (WHERE $1::timestamptz - opened_at >= interval '8 days')::int AS c,
                count(*)::int AS total
           FROM record WHERE type = 'incident' AND opened_at < $1 AND (closed_at IS NULL OR closed_at >= $1)`,
        [window[1]],
      ),
    ]);
    const kpis = (r: Row): IncidentPriorityKpis => ({
      priority: r.priority ?? null,
      opened: r.opened,
      mttaMs: num(r.mtta_ms),
      mttrMs: num(r.mttr_ms),
      responseMet: ratio(r.response_met, r.response_measured),
      resolutionMet: ratio(r.resolution_met, r.resolution_measured),
    });
    const total = rows.find((r: Record<string, unknown>) => Number(r.total_row) === 1) ?? { opened: 0, response_met: 0, response_measured: 0, resolution_met: 0, resolution_measured: 0, resolved: 0 };
    const b = backlog[0];
    return {
      ...kpis(total),
      priority: null,
      byPriority: rows.filter((r: Record<string, unknown>) => Number(r.total_row) === 0).map(kpis),
      reopenRate: ratio(reopened[0].reopened, total.resolved),
      backlog: { '0-2d': b.a, '3-7d': b.b, '>7d': b.c, total: b.total },
    };
  }

  private async request(window: string[]): Promise<KpiReport['request']> {
    const [r] = await this.db.lagging(
      `SELECT count(*)::int AS opened, count(*) FILTER (WHERE resolution_met)::int AS met, count(resolution_met)::int AS measured
         FROM record WHERE type = 'request' AND opened_at >= $1 AND opened_at < $2`,
      window,
    );
    return { opened: r.opened, fulfilledWithinTarget: ratio(r.met, r.measured) };
  }

  private async problem(window: string[]): Promise<KpiReport['problem']> {
    const [r] = await this.db.lagging(
      // each date parsed once per record (record_ts catches bad values, a subtransaction per call)
      `SELECT count(*)::int AS opened,
              count(*) FILTER (WHERE x.done <= x.due)::int AS on_time,
              count(*) FILTER (WHERE x.due IS NOT NULL AND (x.done IS NOT NULL OR x.due < $2))::int AS due
         FROM record CROSS JOIN LATERAL (SELECT record_ts(fields ->> 'rcaCompletedAt') AS done, record_ts(fields ->> 'rcaDueAt') AS due OFFSET 0) x
        WHERE type = 'problem' AND opened_at >= $1 AND opened_at < $2`,
      window,
    );
    return { opened: r.opened, rcaOnTime: ratio(r.on_time, r.due) };
  }

  private async change(window: string[]): Promise<KpiReport['change']> {
    const [closed, opened] = await Promise.all([
      this.db.lagging(
        `SELECT count(*)::int AS closed,
                count(*) FILTER (WHERE o = 'successful')::int AS successful,
                count(*) FILTER (WHERE o IN ('successful', 'failed'))::int AS implemented,
                count(*) FILTER (WHERE o IN ('successful', 'failed') AND fields -> 'reviewCompleted' = 'true'::jsonb)::int AS reviewed
           FROM (SELECT COALESCE(fields ->> 'outcome', state) AS o, fields FROM record
                  WHERE type = 'change' AND closed_at >= $1 AND closed_at < $2) c`,
        window,
      ),
      this.db.lagging(
        `SELECT count(*)::int AS opened, count(*) FILTER (WHERE fields ->> 'changeType' = 'emergency')::int AS emergency
           FROM record WHERE type = 'change' AND opened_at >= $1 AND opened_at < $2`,
        window,
      ),
    ]);
    const c = closed[0];
    return {
      closed: c.closed,
      successRate: ratio(c.successful, c.implemented),
      emergency: ratio(opened[0].emergency, opened[0].opened),
      reviewCompleted: ratio(c.reviewed, c.implemented),
    };
  }

  private async nc(window: string[]): Promise<KpiReport['nc']> {
    const [r] = await this.db.lagging(
      `SELECT count(*)::int AS closed,
              round(avg(extract(epoch FROM closed_at - opened_at) * 1000)) AS avg_ms,
              count(*) FILTER (WHERE fields -> 'effectiveAtFirstCheck' = 'true'::jsonb)::int AS effective,
              count(*) FILTER (WHERE jsonb_typeof(fields -> 'effectiveAtFirstCheck') = 'boolean')::int AS verified
         FROM record WHERE type = 'nc' AND state <> 'cancelled' AND closed_at >= $1 AND closed_at < $2`,
      window,
    );
    return { closed: r.closed, avgClosureMs: num(r.avg_ms), effectiveAtFirstCheck: ratio(r.effective, r.verified) };
  }
}

function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function ratio(count: number, total: number): Ratio {
  return { count, total, pct: total ? Math.round((10000 * count) / total) / 100 : null };
}
