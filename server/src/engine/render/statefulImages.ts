import { imageRepositoryName } from '../manifests/imageReference';

/**
 * Images of well-known databases and queues, by the repository's last path component (registry,
 * organisation, tag and digest aside: `bitnami/postgresql:16`, `docker.io/library/mysql:8`). A merge
 * that raises their replicas would run independent copies of the data (merge/state-replicated).
 * Documented in docs/plan-format.md; keep the two lists the same.
 */
export const STATEFUL_IMAGES: Readonly<Record<string, 'a database' | 'a queue'>> = {
  mysql: 'a database',
  mariadb: 'a database',
  'percona-server': 'a database',
  postgres: 'a database',
  postgresql: 'a database',
  postgis: 'a database',
  timescaledb: 'a database',
  mongo: 'a database',
  mongodb: 'a database',
  'mongodb-community-server': 'a database',
  redis: 'a database',
  'redis-stack-server': 'a database',
  valkey: 'a database',
  keydb: 'a database',
  elasticsearch: 'a database',
  opensearch: 'a database',
  cassandra: 'a database',
  scylla: 'a database',
  couchdb: 'a database',
  couchbase: 'a database',
  neo4j: 'a database',
  influxdb: 'a database',
  clickhouse: 'a database',
  'clickhouse-server': 'a database',
  cockroach: 'a database',
  etcd: 'a database',
  zookeeper: 'a database',
  minio: 'a database',
  rabbitmq: 'a queue',
  kafka: 'a queue',
  'cp-kafka': 'a queue',
  redpanda: 'a queue',
  nats: 'a queue',
  pulsar: 'a queue',
  activemq: 'a queue',
  'activemq-artemis': 'a queue',
};

/** "a database" or "a queue" when the image is one of STATEFUL_IMAGES. */
export function statefulImageKind(image: string): string | undefined {
  const name = imageRepositoryName(image);
  return Object.hasOwn(STATEFUL_IMAGES, name) ? STATEFUL_IMAGES[name] : undefined;
}
