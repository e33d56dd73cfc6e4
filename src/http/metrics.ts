import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { atomicWriteRaces } from '../services/atomic-write.js';
import { auditEventCount } from '../services/audit.service.js';
import type { AppServices } from './app.js';

/** Prometheus metrics: process defaults, request durations by route and status, and a few platform gauges. */
export function registerMetrics(app: FastifyInstance, services: AppServices): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'nvf_' });
  const duration = new Histogram({
    name: 'nvf_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.003, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const problems = new Counter({ name: 'nvf_http_problems_total', help: 'Error answers by status', labelNames: ['status'], registers: [registry] });
  new Gauge({
    name: 'nvf_audit_events',
    help: 'Number of events in the audit chain',
    registers: [registry],
    async collect() {
      this.set(await auditEventCount(services.database.db));
    },
  });
  new Counter({
    name: 'nvf_atomic_write_races_total',
    help: 'Brokering changes that lost a race for their case (ADR 0016): run again without a lock (retried), or after repeated losses under the case lock (locked)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const r = atomicWriteRaces();
      this.reset();
      this.labels('retried').inc(r.retried);
      this.labels('locked').inc(r.locked);
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.labels(request.method, route, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
    if (reply.statusCode >= 400) problems.labels(String(reply.statusCode)).inc();
  });
  app.decorate('metricsRegistry', registry);
  return registry;
}
