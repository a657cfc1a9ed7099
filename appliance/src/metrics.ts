/** Prometheus metrics for one appliance. A registry per instance: no global state. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type ApplianceMetrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'ifec_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    mqttClients: new Gauge({
      name: 'ifec_mqtt_clients_connected',
      help: 'Connected MQTT clients by role',
      labelNames: ['role'] as const,
      registers: [registry],
    }),
    mqttMessagesIn: new Counter({
      name: 'ifec_mqtt_messages_in_total',
      help: 'PUBLISH packets received from clients',
      registers: [registry],
    }),
    mqttMessagesOut: new Counter({
      name: 'ifec_mqtt_messages_out_total',
      help: 'PUBLISH packets delivered to clients',
      registers: [registry],
    }),
    aclDenials: new Counter({
      name: 'ifec_mqtt_acl_denials_total',
      help: 'Refused subscribes, publishes and logins',
      labelNames: ['action', 'role'] as const,
      registers: [registry],
    }),
    rejectedPayloads: new Counter({
      name: 'ifec_mqtt_rejected_payloads_total',
      help: 'Malformed or oversized payloads on topics the appliance consumes',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
  };
}
