/**
 * A few kilobytes of ordinary Kubernetes YAML, read once on every thread while the server waits
 * for its first files: the YAML parser's code is then optimized by the time real files arrive
 * (a cold parser is about a third slower on its first pass).
 */
export function warmUpText(documents = 40): string {
  const parts: string[] = [];
  for (let i = 0; i < documents; i++) {
    parts.push(`---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: warm-up-${i}
  namespace: warm-up
  labels: {app: warm-up-${i}, tier: backend}
  annotations:
    note: "warming the parser up"
spec:
  replicas: ${i % 3}
  selector:
    matchLabels: {app: warm-up-${i}}
  template:
    metadata:
      labels: {app: warm-up-${i}, tier: backend}
    spec:
      containers:
        - name: app
          image: example/app:1.${i}
          args: [--port=8080, "--flag"]
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            - name: MODE
              value: 'fast'
            - name: POD
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits:
              cpu: "1"
              memory: 512Mi
          readinessProbe:
            httpGet: {path: /health, port: http}
            periodSeconds: 10
---
apiVersion: v1
kind: Service
metadata: {name: warm-up-${i}, namespace: warm-up}
spec:
  selector: {app: warm-up-${i}}
  ports:
    - {name: http, port: 80, targetPort: http}
`);
  }
  return parts.join('');
}
