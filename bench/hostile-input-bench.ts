/*
 * How long synth takes to refuse each hostile input of hostile-inputs.ts (issue 21: each under 5 s),
 * beside a synth of the same repository without one: `npm run bench:hostile`. Synth runs as its own
 * process (the CLI of this checkout), killed after 60 s.
 */
import { HOSTILE_CASES, HostileRepo } from './hostile-inputs';
import { machine } from './measure';

function main(): void {
  console.log(machine());
  const synthesized = HostileRepo.synthesized();
  const baseline = synthesized.copy().synth(60);
  console.log(`${baseline.seconds.toFixed(2)} s  exit ${baseline.status}  no hostile input (the repository's two stores synthesized again)`);
  for (const hostile of HOSTILE_CASES) {
    const repo = synthesized.copy();
    hostile.plant(repo);
    const run = repo.synth(60);
    const outcome = run.status === null ? 'killed after 60 s' : `exit ${run.status}, ${run.stderr.length} characters printed`;
    console.log(`${run.seconds.toFixed(2)} s  ${outcome}  ${hostile.name}`);
  }
}

main();
