/**
 * Scheduler benchmark: the real coordinator state machine (src/coordinator/core.ts) driving a
 * simulated cluster on a simulated clock. A 100-trial sweep (5 anchor settings × 5 λ × 4
 * test-time proposal settings, alternating training, 4 proposal and 4 detect shards) runs on
 * 16 GPU trainers and 2 evaluators. Stage durations are the stages' cost estimates times a
 * log-normal factor (σ = 0.3) the scheduler does not know. Training stages checkpoint every 5 %
 * of their work; a lost worker's stage resumes elsewhere from the last checkpoint.
 *
 * Prints, per scenario, the makespan over the lower bound max(critical path, trainer work / 16)
 * (target ≤ 1.05 without failures), and the work saved by de-duplicating stages across trials.
 * Baseline in the same run: the same sweep with de-duplication disabled (every trial's stages
 * made distinct), on the same cluster.
 *
 *   npm run bench:scheduler [-- --seed 1 --mtbf-hours 20]
 */
import { simulateCluster, type Outcome } from '../src/coordinator/simulator.ts';
import { sweepSpecFromObject } from '../src/pipeline/sweep-spec.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SEED = arg('seed', 1);
const GPUS = arg('gpus', 16);
const EVALUATORS = 2;
const MTBF_HOURS = arg('mtbf-hours', 20);
const SIGMA = 0.3;

const spec = sweepSpecFromObject({
  name: 'bench',
  base: { dataset: { name: 'voc07' }, backbone: { name: 'vgg16' }, mode: 'alt-opt', shards: { proposals: 4, detect: 4 } },
  axes: [
    { list: [[8], [16], [32], [8, 16], [8, 16, 32]].map((s) => ({ 'anchors.scales': s })) },
    { grid: { 'rpn.lambda': [0.1, 1, 3, 10, 100] } },
    {
      list: [
        { 'proposals.test.useNms': true },
        { 'proposals.test.useNms': false },
        { 'proposals.test.useScores': false },
        { 'proposals.test.useDeltas': false },
      ],
    },
  ],
  limits: { maxTrials: 100 },
});
const simulate = (o: { dedupe: boolean; failures: boolean }) =>
  simulateCluster({ spec, ...o, seed: SEED, gpus: GPUS, evaluators: EVALUATORS, mtbfHours: MTBF_HOURS, sigma: SIGMA });

const h = (s: number) => `${(s / 3600).toFixed(1)} h`;
function report(label: string, o: Outcome): void {
  console.log(
    `${label.padEnd(34)} makespan ${h(o.makespan).padStart(8)}  lower bound ${h(o.lowerBound).padStart(8)} ` +
      `(critical path ${h(o.criticalPath)}, work/${GPUS} ${h(o.trainerWork / GPUS)})  ratio ${(o.makespan / o.lowerBound).toFixed(3)}  ` +
      `jobs ${o.stagesRun}  crashes ${o.crashes}  trials ok ${o.succeeded}/100`,
  );
}

const t0 = performance.now();
const clean = simulate({ dedupe: true, failures: false });
const faulty = simulate({ dedupe: true, failures: true });
const baseline = simulate({ dedupe: false, failures: false });
console.log(`scheduler bench: 100 trials, ${GPUS} GPU trainers + ${EVALUATORS} evaluators, durations × lognormal(σ=${SIGMA}), seed ${SEED}`);
report('dedupe, no failures', clean);
report(`dedupe, failures (MTBF ${MTBF_HOURS} h/GPU)`, faulty);
report('baseline: no dedupe, no failures', baseline);
console.log(
  `de-duplication: ${h(clean.requestedWork)} of stage work requested by the trials, ${h(clean.uniqueWork)} run ` +
    `(${((100 * (clean.requestedWork - clean.uniqueWork)) / clean.requestedWork).toFixed(1)} % saved); ` +
    `makespan ${h(baseline.makespan)} → ${h(clean.makespan)} (${(baseline.makespan / clean.makespan).toFixed(2)}× faster)`,
);
console.log(`failures: ${faulty.crashes} crashes, ${h(faulty.lostWork)} of work lost since checkpoints, makespan +${((100 * (faulty.makespan - clean.makespan)) / clean.makespan).toFixed(1)} %`);
console.log(`target makespan ≤ 1.05 × lower bound without failures: ${clean.makespan <= 1.05 * clean.lowerBound ? 'met' : 'NOT met'} (${(clean.makespan / clean.lowerBound).toFixed(3)})`);
console.log(`(simulated in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
