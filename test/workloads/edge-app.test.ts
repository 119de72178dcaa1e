import { JsonPatch } from 'cdk8s';
import { EdgeApp, EdgeMonitor, EdgeStore, EdgeWasmApp, EncryptedSecret, HealthCheck } from '../../lib';
import { renderStore } from '../../lib/synth/render-store';
import { objectOf, testFleet, testStore, withLateChecks } from '../util';

const IMAGE = 'registry.example.com/retail/edge-monitor:1.4.2';

describe('EdgeApp', () => {
  test('GIVEN an app WHEN synthesized THEN the Deployment selects its pods by a stable name label', () => {
    // GIVEN
    const store = testStore();

    // WHEN
    new EdgeApp(store, 'loyalty', { image: IMAGE, replicas: 2, ports: { http: 8080 } });
    const deployment = objectOf(store, 'stores/store-001/workloads/loyalty.yaml', 'Deployment');

    // THEN
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'loyalty' } });
    expect(deployment.spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'loyalty' });
    expect(JSON.stringify(deployment)).not.toContain('cdk8s.io/metadata.addr');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  });

  test('GIVEN replicas 0 WHEN synthesized THEN the Deployment is scaled to zero, its pod template and image kept', () => {
    const store = testStore();
    new EdgeApp(store, 'loyalty', { image: IMAGE, replicas: 0 });
    const deployment = objectOf(store, 'stores/store-001/workloads/loyalty.yaml', 'Deployment');
    expect(deployment.spec.replicas).toBe(0);
    expect(deployment.spec.template.spec.containers[0].image).toBe(IMAGE);
  });

  test('GIVEN an app with defaults WHEN synthesized THEN it is offline-safe: IfNotPresent, requests and a memory limit', () => {
    const store = testStore();
    new EdgeApp(store, 'loyalty', { image: IMAGE });
    const container = objectOf(store, 'stores/store-001/workloads/loyalty.yaml', 'Deployment').spec.template.spec.containers[0];
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
      limits: { memory: '128Mi', 'ephemeral-storage': '256Mi' },
    });
  });

  test.each([
    [{ replicas: -2 }, 'replicas -2 must be a whole number of at least 0'],
    [{ replicas: 1.5 }, 'replicas 1.5 must be a whole number of at least 0'],
    [{ memory: '128MB' }, 'memory "128MB" is not a Kubernetes quantity (use "128Mi")'],
    [{ ports: { http: 70000 } }, 'ports "http" 70000 is not a port number (use 1 to 65535)'],
    [{ ports: { 8080: 8080 } }, 'ports name "8080" is not an IANA service name'],
    [
      { memory: '512Mi', memoryLimit: '256Mi' },
      'memoryLimit "256Mi" is below the memory request "512Mi" (Kubernetes rejects that; raise memoryLimit to at least "512Mi")',
    ],
    [{ image: 'edge monitor' }, 'image "edge monitor" is not a container image reference'],
    [{ cpu: '-50m' }, 'cpu "-50m" must be more than 0 (use "100m")'],
    [{ cpu: '0' }, 'cpu "0" must be more than 0 (use "100m")'],
    [{ memory: '0' }, 'memory "0" must be more than 0 (use "128Mi")'],
    [
      { memoryLimit: '256m' },
      'memoryLimit "256m" is only 0.256 bytes: its unit is missing or wrong (use "256Mi"; Mi and Gi are MiB and GiB, a lower-case m is a thousandth)',
    ],
    [{ memory: '512' }, 'memory "512" is only 512 bytes: its unit is missing or wrong (use "128Mi"'],
    [{ env: { RETRIES: 3 as unknown as string } }, 'env "RETRIES" is 3, not a string (use "3")'],
  ])('GIVEN bad props %j WHEN creating the app THEN it fails with a clear message', (props, message) => {
    expect(withLateChecks(() => new EdgeApp(testStore(), 'loyalty', { image: IMAGE, ...props }))).toThrow(
      `store "store-001": EdgeApp "loyalty": ${message}`,
    );
  });

  test('GIVEN a workload id that is not an RFC 1123 label WHEN creating it THEN it fails', () => {
    expect(() => new EdgeApp(testStore(), 'Loyalty_App', { image: IMAGE })).toThrow(
      'store "store-001": workload id "Loyalty_App" is not an RFC 1123 label',
    );
  });

  test('GIVEN a workload or secret created in the fleet, as untyped code can WHEN creating it THEN it fails saying it belongs in a store', () => {
    const fleet = testFleet() as unknown as EdgeStore;
    expect(() => new EdgeMonitor(fleet, 'edge-monitor', { image: IMAGE })).toThrow(
      'fleet: EdgeMonitor "edge-monitor" is created in the fleet, but it belongs in a store (new EdgeMonitor(store, "edge-monitor", ...), with ' +
        "the store that new EdgeStore or addStores' definition made)",
    );
    expect(() => new EncryptedSecret(fleet, 'registry-pull')).toThrow(
      /^fleet: EncryptedSecret "registry-pull" is created in the fleet, but it belongs in a store/,
    );
  });

  test('GIVEN a JSON patch on the Deployment WHEN synthesized THEN the patch is in the output', () => {
    const store = testStore();
    const app = new EdgeApp(store, 'loyalty', { image: IMAGE });
    app.resource.addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', 'store-critical'));
    expect(objectOf(store, 'stores/store-001/workloads/loyalty.yaml', 'Deployment').spec.template.spec.priorityClassName).toBe('store-critical');
  });

  test('GIVEN raw manifests WHEN synthesized THEN they are written as given in the chosen layer', () => {
    const store = testStore();
    store.addManifests(
      'quota',
      [{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'edge', namespace: 'edge' }, spec: { hard: { pods: '40' } } }],
      'infrastructure',
    );
    expect(objectOf(store, 'stores/store-001/infrastructure/quota.yaml', 'ResourceQuota').spec).toEqual({ hard: { pods: '40' } });
  });
});

describe('EdgeMonitor', () => {
  test('GIVEN the customer edge monitor WHEN synthesized THEN it runs in offline mode with 100m/128Mi requests', () => {
    const store = testStore();
    new EdgeMonitor(store, 'edge-monitor', { image: IMAGE, env: { REGION: 'eu-west' } });
    const container = objectOf(store, 'stores/store-001/workloads/edge-monitor.yaml', 'Deployment').spec.template.spec.containers[0];
    expect(container.env).toEqual([
      { name: 'OFFLINE_MODE', value: 'true' },
      { name: 'REGION', value: 'eu-west' },
    ]);
    expect(container.resources.requests).toEqual({ cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' });
    expect(container.resources.limits).toEqual({ memory: '256Mi', 'ephemeral-storage': '256Mi' });
  });
});

test('GIVEN an edge monitor with a larger memory request WHEN synthesized THEN its limit follows the request', () => {
  const store = testStore();
  new EdgeMonitor(store, 'edge-monitor', { image: IMAGE, memory: '512Mi' });
  expect(objectOf(store, 'stores/store-001/workloads/edge-monitor.yaml', 'Deployment').spec.template.spec.containers[0].resources.limits).toEqual({
    memory: '512Mi',
    'ephemeral-storage': '256Mi',
  });
});

test('GIVEN a workload named "kustomization" WHEN rendered THEN it fails instead of overwriting the folder\'s kustomization.yaml', () => {
  const store = testStore();
  new EdgeApp(store, 'kustomization', { image: IMAGE });
  expect(() => renderStore(store)).toThrow('store "store-001": EdgeApp "kustomization": the id "kustomization" is reserved');
});

test('GIVEN raw manifests named like the namespace file WHEN rendered THEN it fails naming both writers', () => {
  const store = testStore();
  store.addManifests('namespace', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'edge' } }], 'infrastructure');
  expect(() => renderStore(store)).toThrow(
    'store "store-001": StoreManifests "namespace": writes stores/store-001/infrastructure/namespace.yaml, which store-001/Namespace writes ' +
      'too (give it another id)',
  );
});

describe('EdgeWasmApp', () => {
  test('GIVEN a store whose node has the WasmEdge shim WHEN synthesized THEN pods run on the wasmedge RuntimeClass', () => {
    const store = testStore({ nodeProfile: { runtimeClasses: ['wasmedge'] } });
    new EdgeWasmApp(store, 'edge-app', { image: 'registry.example.com/retail/edge-app:2.0.1', replicas: 3 });
    const deployment = objectOf(store, 'stores/store-001/workloads/edge-app.yaml', 'Deployment');
    expect(deployment.spec.template.spec.runtimeClassName).toBe('wasmedge');
    expect(deployment.spec.replicas).toBe(3);
  });

  test('GIVEN a store without the shim WHEN creating a Wasm app THEN it fails saying how to declare the shim', () => {
    expect(() => new EdgeWasmApp(testStore(), 'edge-app', { image: 'registry.example.com/retail/edge-app:2.0.1' })).toThrow(
      'store "store-001": EdgeWasmApp "edge-app": runtimeClass "wasmedge" is not provided by the store\'s node (its ' +
        'nodeProfile.runtimeClasses: none); add "wasmedge" to nodeProfile.runtimeClasses',
    );
  });
});

describe('the ingress NetworkPolicy', () => {
  test('GIVEN an app with a port and one without WHEN synthesized THEN each admits its declared ports only, the second none', () => {
    // GIVEN
    const store = testStore();
    new EdgeApp(store, 'loyalty', { image: IMAGE, ports: { http: 8080 } });
    new EdgeApp(store, 'batch', { image: IMAGE });

    // WHEN
    const served = objectOf(store, 'stores/store-001/workloads/loyalty.yaml', 'NetworkPolicy').spec;
    const silent = objectOf(store, 'stores/store-001/workloads/batch.yaml', 'NetworkPolicy').spec;

    // THEN both restrict ingress and leave egress open
    expect(served.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(served.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
    expect(served.egress).toEqual([{}]);
    // AND the one without ports has no ingress rule at all (an empty list would not survive the API server)
    expect(silent.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(silent).not.toHaveProperty('ingress');
  });
});

describe('hardened containers', () => {
  test(
    'GIVEN an app with defaults WHEN synthesized THEN it runs as a user that is not root, read-only, without capabilities, with a scratch ' + '/tmp',
    () => {
      const store = testStore();
      new EdgeApp(store, 'loyalty', { image: IMAGE, ports: { http: 8080 } });
      const pod = objectOf(store, 'stores/store-001/workloads/loyalty.yaml', 'Deployment').spec.template.spec;
      expect(pod.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.containers[0].securityContext).toEqual({
        runAsUser: 65532,
        runAsGroup: 65532,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    },
  );

  test('GIVEN an app with a port WHEN synthesized THEN a TCP check of it tells the kubelet it is ready and alive; liveness waits a minute', () => {
    const store = testStore();
    new EdgeApp(store, 'loyalty', { image: IMAGE, ports: { http: 8080, admin: 9000 } });
    const container = objectOf(store, 'stores/store-001/workloads/loyalty.yaml', 'Deployment').spec.template.spec.containers[0];
    expect(container.readinessProbe).toEqual({
      tcpSocket: { port: 'admin' },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
    expect(container.livenessProbe).toMatchObject({ tcpSocket: { port: 'admin' }, failureThreshold: 6 });
  });

  test('GIVEN an app without ports, and one whose check is declared none WHEN synthesized THEN the pod says why it has no probes', () => {
    const store = testStore();
    new EdgeApp(store, 'batch', { image: IMAGE });
    new EdgeApp(store, 'printer', {
      image: IMAGE,
      ports: { ipp: 631 },
      healthCheck: HealthCheck.none('the printer spooler accepts one connection at a time'),
    });
    for (const [id, reason] of [
      ['batch', 'the container serves no port to check (give it a healthCheck to have it probed)'],
      ['printer', 'the printer spooler accepts one connection at a time'],
    ]) {
      const deployment = objectOf(store, `stores/store-001/workloads/${id}.yaml`, 'Deployment');
      expect(deployment.spec.template.metadata.annotations).toEqual({ 'edgefleet.io/no-health-check': reason });
      expect(deployment.spec.template.spec.containers[0].livenessProbe).toBeUndefined();
    }
  });

  test('GIVEN an app that must run as root WHEN synthesized THEN it may, and the namespace enforces baseline instead of restricted', () => {
    const store = testStore();
    new EdgeApp(store, 'legacy', { image: IMAGE, runAsUser: 0, readOnlyRootFilesystem: false });
    const container = objectOf(store, 'stores/store-001/workloads/legacy.yaml', 'Deployment').spec.template.spec.containers[0];
    expect(container.securityContext).toMatchObject({
      runAsUser: 0,
      runAsNonRoot: false,
      readOnlyRootFilesystem: false,
      allowPrivilegeEscalation: false,
    });
    const namespace = objectOf(store, 'stores/store-001/infrastructure/namespace.yaml', 'Namespace');
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
  });

  test('GIVEN a reason too short to read WHEN synthesized THEN synth asks for one', () => {
    const store = testStore();
    expect(() => new EdgeApp(store, 'batch', { image: IMAGE, healthCheck: HealthCheck.none('n/a') })).toThrow(
      'store "store-001": EdgeApp "batch": healthCheck HealthCheck.none("n/a") needs a reason a reviewer can read (say why the container has ' +
        'nothing to check)',
    );
  });
});
