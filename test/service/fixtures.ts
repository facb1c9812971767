// The manifests the in-process service tests plan against: two Deployments with exact requests.
import { container, deployment } from '../helpers/memoryHost';

export const MANIFESTS = {
  'm.yaml':
    deployment('cart', { replicas: 2, containers: container('cart', { requests: { cpu: '100m', memory: '128Mi' } }) }) +
    deployment('orders', {
      replicas: 1,
      containers: container('orders', { requests: { cpu: '200m', memory: '256Mi' } }),
    }),
};
