import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { snapshotDir, tempDir } from '../util';

function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { write: (s: string) => (stdout += s) }, { write: (s: string) => (stderr += s) });
  return { code, stdout, stderr };
}

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

describe('edgefleet synth', () => {
  test('GIVEN a valid fleet WHEN synthesized THEN it writes the tree and prints a summary', () => {
    const out = tempDir();
    const { code, stdout } = run('synth', '--fleet', fixture('good-fleet.ts'), '--out', out);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^edgefleet: 1 stores, 14 files in ${out}/: 14 written, 0 deleted, 0 unchanged`));
    expect(fs.existsSync(path.join(out, 'stores/store-001/workloads/edge-monitor.yaml'))).toBe(true);
  });

  test('GIVEN a fleet with a mistake WHEN synthesized THEN it prints the message without a stack trace and leaves dist/ alone', () => {
    // GIVEN
    const out = tempDir();
    fs.writeFileSync(path.join(out, 'keep.yaml'), 'a: 1\n');

    // WHEN
    const { code, stderr } = run('synth', '--fleet', fixture('broken-fleet.ts'), '--out', out);

    // THEN
    expect(code).toBe(1);
    expect(stderr).toBe(`edgefleet: synth failed; ${out}/ was left as it was.\nstore "store-017": EdgePosVm "pos": memory "2 GB" is not a Kubernetes quantity (use "2Gi")\n`);
    expect([...snapshotDir(out).keys()]).toEqual(['keep.yaml']);
  });

  test('GIVEN an output folder that cannot be written WHEN synthesized THEN it says what failed, without a stack trace', () => {
    const out = path.join(tempDir(), 'a-file');
    fs.writeFileSync(out, '');
    const { code, stderr } = run('synth', '--fleet', fixture('good-fleet.ts'), '--out', out);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^edgefleet: synth failed while writing\.\ncannot write .*a-file.* \((ENOTDIR|EEXIST)\); .*a-file\/ may be partly updated: fix the cause and run synth again\n$/);
  });

  test('GIVEN a fleet module that does not exist WHEN synthesized THEN it says how to build it', () => {
    const { code, stderr } = run('synth', '--fleet', 'build/nowhere.js');
    expect(code).toBe(1);
    expect(stderr).toContain('--fleet build/nowhere.js: no such module (compile the fleet first');
  });

  test('GIVEN a folder with a bad object WHEN validated THEN one line names file, object, path and problem, and the exit code is 1', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'd.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: edge, labelz: {}}\n');
    const text = run('validate', dir, '--skip-kustomize-build');
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('d.yaml: Namespace/edge: metadata.labelz: unknown field (not in the schema of this kind)\nnote: real kustomize build not requested\n1 files, 1 objects: 1 invalid\n');
    const json = run('validate', dir, '--skip-kustomize-build', '--format', 'json');
    expect(JSON.parse(json.stdout).findings).toEqual([{ file: 'd.yaml', object: 'Namespace/edge', path: 'metadata.labelz', message: 'unknown field (not in the schema of this kind)' }]);
  });

  test('GIVEN a folder that does not exist WHEN validated THEN it says so and exits 2', () => {
    const { code, stderr } = run('validate', '/nonexistent/dist');
    expect(code).toBe(2);
    expect(stderr).toContain('validate: "/nonexistent/dist" is not a folder');
  });

  test('GIVEN an unknown command WHEN run THEN it prints the usage and exits 2', () => {
    const { code, stderr } = run('deploy');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "deploy"');
    expect(stderr).toContain('usage: edgefleet synth');
  });
});
