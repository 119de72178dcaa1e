#!/usr/bin/env node
// A stand-in for the oras and cosign CLIs in unit tests: the "registry" is a JSON file ($FAKE_REGISTRY),
// and every call is recorded in it. The real tools, against a real registry, run in the end-to-end suite.
const fs = require('fs');
const path = require('path');
const { createHash } = require('crypto');
const file = process.env.FAKE_REGISTRY;
const state = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { tags: {}, manifests: {}, layers: {}, calls: [] };
const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2).filter((a) => a !== '--plain-http');
if (args[0] === 'version') process.exit(0);
state.calls.push([tool, ...args].join(' '));
const save = () => fs.writeFileSync(file, JSON.stringify(state));
const sha = (data) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const fail = (message) => {
  save();
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
};
const [command, ...rest] = args;
if (tool === 'cosign') {
  if (process.env.FAKE_COSIGN_FAIL) fail('signing failed: no password');
  for (const ref of rest.filter((a) => a.includes('@'))) {
    state.manifests[ref].signed = true;
    // Another publish moving the store's tag meanwhile.
    if (process.env.FAKE_TAG_MOVED) state.tags[`${ref.split('@')[0]}:latest`] = ref;
  }
} else if (command === 'manifest') {
  const ref = rest[rest.length - 1];
  if (!state.tags[ref]) fail(`${ref}: not found`);
  process.stdout.write(JSON.stringify(state.manifests[state.tags[ref]]));
} else if (command === 'push') {
  const annotations = {};
  rest.forEach((a, i) => rest[i - 1] === '--annotation' && (annotations[a.split('=')[0]] = a.slice(a.indexOf('=') + 1)));
  const [ref, layer] = rest.slice(-2);
  const bytes = fs.readFileSync(layer.split(':')[0]);
  const manifest = { layers: [{ digest: sha(bytes) }], annotations };
  const digest = sha(JSON.stringify(manifest));
  const repository = ref.slice(0, ref.lastIndexOf(':'));
  state.layers[sha(bytes)] = bytes.toString('base64');
  state.manifests[`${repository}@${digest}`] = manifest;
  state.tags[ref] = `${repository}@${digest}`;
  process.stdout.write(JSON.stringify({ digest }));
} else if (command === 'tag') {
  const [ref, tag] = rest;
  if (!state.manifests[ref]) fail(`${ref}: not found`);
  state.tags[`${ref.split('@')[0]}:${tag}`] = ref;
}
save();
