import type { Orm } from '@commerce-supergraph/shared/db/orm';
import type { ServiceMetrics } from '@commerce-supergraph/shared/observability/metrics';
import { OrderStatus } from './entities/order.js';

/**
 * Orders by status, counted when Prometheus scrapes: the saga's state at a glance (PENDING piling up
 * means answers from the product subgraph are not arriving). Every status is reported, 0 included,
 * so a graph does not break when none is in one. The count is one grouped scan, cheap at scrape pace.
 */
export function registerOrderMetrics(metrics: ServiceMetrics, orm: Orm): void {
  metrics.gauge(
    { name: 'orders_by_status', help: 'Orders in the order database, by status', labelNames: ['status'] },
    async (set) => {
      const rows = await orm.em
        .fork()
        .getConnection()
        .execute<{ status: string; count: string }[]>('select status, count(*) as count from orders group by status');
      const counts = new Map(rows.map((row) => [row.status, Number(row.count)]));
      for (const status of Object.values(OrderStatus)) set({ status }, counts.get(status) ?? 0);
    },
  );
}
