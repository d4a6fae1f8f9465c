/**
 * Prometheus metrics (prom-client, on a registry of our own: no global
 * state). The reconciler and the server report events through the small
 * functions here; app info is read from status at scrape time, so it is
 * never stale and costs nothing between scrapes.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Deployment } from '../../state/index.ts';

/** Seconds: a build may take up to the 15-minute default timeout. */
const LONG_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900];

export interface AppInfo {
  repo: string;
  app: string;
  revision?: string;
  sync: string;
  health: string;
}

export interface Metrics {
  /** A deployment reached success or failed. */
  deployFinished(deployment: Deployment): void;
  /** One reconcile cycle's planning and work took this long. */
  cycleFinished(durationMs: number): void;
  /** A webhook delivery was answered with this HTTP status. */
  webhookAnswered(provider: string, status: number): void;
  /** The Prometheus text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(apps: () => AppInfo[]): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'nexus_app_info', help: 'One series per app with its revision, sync and health words; the value is always 1.',
    labelNames: ['repo', 'app', 'revision', 'sync', 'health'], registers: [registry],
    collect() {
      this.reset();
      for (const app of apps()) this.set({ repo: app.repo, app: app.app, revision: app.revision ?? '', sync: app.sync, health: app.health }, 1);
    },
  });
  const deploys = new Counter({ name: 'nexus_deploy_total', help: 'Finished deployments by outcome.', labelNames: ['repo', 'app', 'result'], registers: [registry] });
  const deployDuration = new Histogram({ name: 'nexus_deploy_duration_seconds', help: 'From container start to the old release removed (or the failure).', labelNames: ['repo', 'app', 'result'], buckets: LONG_BUCKETS, registers: [registry] });
  const buildDuration = new Histogram({ name: 'nexus_build_duration_seconds', help: 'Image builds (cached images count as near zero).', labelNames: ['repo', 'app'], buckets: LONG_BUCKETS, registers: [registry] });
  const reconcile = new Histogram({ name: 'nexus_reconcile_duration_seconds', help: 'Reconcile cycles: planning and the work it started.', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900], registers: [registry] });
  const webhooks = new Counter({ name: 'nexus_webhook_requests_total', help: 'Webhook deliveries by provider and outcome (accepted, ignored, unauthorized, unknown_repo, malformed).', labelNames: ['provider', 'outcome'], registers: [registry] });

  return {
    deployFinished(deployment) {
      const result = deployment.status === 'success' ? 'success' : 'failed';
      deploys.inc({ repo: deployment.repo, app: deployment.app, result });
      if (deployment.deployMs !== undefined) deployDuration.observe({ repo: deployment.repo, app: deployment.app, result }, deployment.deployMs / 1000);
      if (deployment.buildMs !== undefined) buildDuration.observe({ repo: deployment.repo, app: deployment.app }, deployment.buildMs / 1000);
    },
    cycleFinished(durationMs) {
      reconcile.observe(durationMs / 1000);
    },
    webhookAnswered(provider, status) {
      const outcome = status === 202 ? 'accepted' : status === 200 ? 'ignored' : status === 401 ? 'unauthorized' : status === 404 ? 'unknown_repo' : 'malformed';
      webhooks.inc({ provider, outcome });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
