import type { ManifestContext } from '../contexts';
import type { Rule } from '../types';

export const duplicatePort: Rule<ManifestContext> = {
  code: 'manifest/duplicate-port',
  defaultSeverity: 'error',
  where: 'manifest: the second port',
  description: 'Two ports of one pod use the same number and protocol.',
  check({ file }, addFinding) {
    for (const workload of file.workloads) {
      const seen = new Map<
        string,
        { container: string; location: (typeof workload.containers)[number]['ports'][number]['location'] }
      >();
      for (const container of workload.containers) {
        for (const port of container.ports) {
          const key = `${port.port}/${port.protocol}`;
          const first = seen.get(key);
          if (first) {
            // One container listing a port twice is a different mistake from two containers sharing it.
            const where =
              first.container === container.name
                ? `container ${container.name} lists it twice`
                : `containers ${first.container} and ${container.name}`;
            addFinding({
              message: `${workload.name}: port ${key} is declared twice in one pod (${where}).`,
              location: port.location,
              related: [{ location: first.location, message: `first declared in ${first.container}` }],
            });
          } else {
            seen.set(key, { container: container.name, location: port.location });
          }
        }
      }
    }
  },
};
