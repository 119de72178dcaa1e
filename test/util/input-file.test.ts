import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fileDigest } from '../../lib/synth/fleet-digest';
import { readInputFile } from '../../lib/util/input-file';
import { parseYamlDocuments } from '../../lib/util/parse-yaml';
import { tempDir } from '../util';

describe('readInputFile', () => {
  const folder = tempDir();
  fs.writeFileSync(path.join(folder, 'file.yaml'), 'a: 1\n');
  const limits = { folder, maxBytes: 1024 };

  test('GIVEN a regular file, or a symbolic link to one inside the folder WHEN read THEN its content is returned', () => {
    fs.symlinkSync('file.yaml', path.join(folder, 'link.yaml'));
    expect(readInputFile(path.join(folder, 'file.yaml'), limits)).toEqual({ content: Buffer.from('a: 1\n') });
    expect(readInputFile(path.join(folder, 'link.yaml'), limits)).toEqual({ content: Buffer.from('a: 1\n') });
    expect(readInputFile(path.join(folder, 'none.yaml'), limits)).toEqual({ missing: true });
  });

  test('GIVEN a folder of it that is a symbolic link out of it WHEN read THEN it is refused unread', () => {
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, 'file.yaml'), 'b: 2\n');
    fs.symlinkSync(outside, path.join(folder, 'linked-folder'));
    expect(readInputFile(path.join(folder, 'linked-folder', 'file.yaml'), limits)).toEqual({
      refused: `leads to ${fs.realpathSync(outside)}/file.yaml through a symbolic link, outside ${folder}/`,
    });
  });

  test('GIVEN a FIFO, a device, a file over the cap WHEN read THEN each is refused without reading it', () => {
    execFileSync('mkfifo', [path.join(folder, 'fifo.yaml')]);
    fs.writeFileSync(path.join(folder, 'big.yaml'), 'x'.repeat(1025));
    expect(readInputFile(path.join(folder, 'fifo.yaml'), limits)).toEqual({ refused: 'is a FIFO (named pipe), not a regular file' });
    expect(readInputFile('/dev/null', { folder: '/dev', maxBytes: 1024 })).toEqual({ refused: 'is a device, not a regular file' });
    expect(readInputFile(path.join(folder, 'big.yaml'), limits)).toEqual({ refused: 'is 2 KiB, more than the 1 KiB allowed' });
  });

  test('GIVEN an input file replaced by a FIFO WHEN the digest cache checks it THEN it is taken as changed, without blocking', () => {
    execFileSync('mkfifo', [path.join(folder, 'secret-fifo.yaml')]);
    expect(fileDigest(path.join(folder, 'secret-fifo.yaml'))).toBe('not read: is a FIFO (named pipe), not a regular file');
  });
});

describe('parseYamlDocuments', () => {
  test('GIVEN aliases refused WHEN a text has an anchor, an alias or a merge key THEN the first is named with its line, nothing is read', () => {
    expect(parseYamlDocuments('a: 1\nb: &x [1]\nc: *x\n', { refuseAliases: true })).toEqual({ documents: [], alias: { text: '&x', line: 2 } });
    expect(parseYamlDocuments('a: 1\n---\nb:\n  <<: *x\n', { refuseAliases: true }).alias).toEqual({ text: '*x', line: 4 });
  });

  test('GIVEN aliases refused WHEN "&" and "*" appear in values only THEN the text is read', () => {
    expect(parseYamlDocuments('url: "https://x?a=1&b=2"\nglob: "*.yaml"\n', { refuseAliases: true })).toEqual({
      documents: [{ url: 'https://x?a=1&b=2', glob: '*.yaml' }],
    });
  });
});
