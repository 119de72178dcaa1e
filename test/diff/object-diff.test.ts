import { diffValues, showFieldChange } from '../../lib/diff/object-diff';

const lines = (before: unknown, after: unknown) => diffValues(before, after).map(showFieldChange);

describe('diffValues', () => {
  test('GIVEN a list of names that loses one item WHEN diffed THEN only that item is reported, not every later index', () => {
    // GIVEN
    const before = { spec: { paths: ['dist/stores/store-056', 'dist/stores/store-057', 'dist/stores/store-058', 'dist/stores/store-059'] } };
    const after = { spec: { paths: ['dist/stores/store-056', 'dist/stores/store-058', 'dist/stores/store-059'] } };

    // WHEN / THEN
    expect(lines(before, after)).toEqual(['spec.paths: - dist/stores/store-057']);
  });

  test('GIVEN kustomization resources with one added WHEN diffed THEN it is one added item', () => {
    expect(lines({ resources: ['edge-monitor.yaml', 'pos.yaml'] }, { resources: ['edge-app.yaml', 'edge-monitor.yaml', 'pos.yaml'] })).toEqual([
      'resources: + edge-app.yaml',
    ]);
  });

  test('GIVEN the same items in another order WHEN diffed THEN the order change is reported once', () => {
    expect(lines({ args: ['--a', '--b'] }, { args: ['--b', '--a'] })).toEqual(['args: order --a, --b -> --b, --a']);
  });

  test('GIVEN a repeated item removed WHEN diffed THEN the list is compared as a multiset', () => {
    expect(lines({ x: ['a', 'a', 'b'] }, { x: ['a', 'b'] })).toEqual(['x: - a']);
  });

  test('GIVEN containers keyed by name WHEN one is inserted before another THEN the others are compared by name', () => {
    // GIVEN
    const monitor = { name: 'edge-monitor', image: 'edge-monitor:1.4.2' };
    const before = { containers: [monitor] };
    const after = {
      containers: [
        { name: 'sidecar', image: 'sidecar:1.0.0' },
        { ...monitor, image: 'edge-monitor:1.5.0' },
      ],
    };

    // WHEN
    const changes = diffValues(before, after);

    // THEN
    expect(changes.map(showFieldChange)).toEqual([
      'containers[name=sidecar]: + {"name":"sidecar","image":"sidecar:1.0.0"}',
      'containers[name=edge-monitor].image: edge-monitor:1.4.2 -> edge-monitor:1.5.0',
    ]);
    expect(changes[0]).toEqual({ path: 'containers[name=sidecar]', before: undefined, after: after.containers[0], list: 'item-added' });
  });

  test('GIVEN keyed items swapped WHEN diffed THEN the new order is reported by key', () => {
    const a = { name: 'a', v: 1 };
    const b = { name: 'b', v: 2 };
    expect(lines({ initContainers: [a, b] }, { initContainers: [b, a] })).toEqual(['initContainers: order a, b -> b, a']);
  });

  test('GIVEN objects whose name repeats WHEN diffed THEN the next key that is unique is used', () => {
    const before = {
      volumeMounts: [
        { name: 'data', mountPath: '/a' },
        { name: 'data', mountPath: '/b', readOnly: true },
      ],
    };
    const after = {
      volumeMounts: [
        { name: 'data', mountPath: '/a' },
        { name: 'data', mountPath: '/b', readOnly: false },
      ],
    };
    expect(lines(before, after)).toEqual(['volumeMounts[mountPath=/b].readOnly: true -> false']);
  });

  test('GIVEN RBAC subjects WHEN one changes namespace THEN they are keyed by name, and the namespace is the changed field', () => {
    const before = { subjects: [{ kind: 'ServiceAccount', name: 'log-agent', namespace: 'edge' }] };
    const after = { subjects: [{ kind: 'ServiceAccount', name: 'log-agent', namespace: 'retail' }] };
    expect(lines(before, after)).toEqual(['subjects[name=log-agent].namespace: edge -> retail']);
  });

  test('GIVEN objects without a key WHEN one in the middle changes THEN equal items match and the changed one is compared at its index', () => {
    const rule = (port: number) => ({ ports: [{ port }] });
    expect(lines({ ingress: [rule(80), rule(443), rule(8080)] }, { ingress: [rule(80), rule(8443), rule(8080)] })).toEqual([
      'ingress[1].ports[port=443]: - {"port":443}',
      'ingress[1].ports[port=8443]: + {"port":8443}',
    ]);
  });

  test(
    'GIVEN objects without a key WHEN they move and one changes THEN the moved one is unchanged and the changed one is compared field by ' + 'field',
    () => {
      expect(
        lines(
          {
            x: [
              { a: 1, b: 1 },
              { a: 2, b: 2 },
            ],
          },
          {
            x: [
              { a: 2, b: 2 },
              { a: 1, b: 3 },
            ],
          },
        ),
      ).toEqual(['x[1].b: 1 -> 3']);
    },
  );

  test('GIVEN equal objects with keys in another order WHEN diffed THEN nothing changed', () => {
    expect(diffValues({ a: [{ x: 1, y: 2 }] }, { a: [{ y: 2, x: 1 }] })).toEqual([]);
  });
});
