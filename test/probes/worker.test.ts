import { describe, expect, it } from 'vitest';
import { tinyConfig, workerHarness } from '../ui/train-harness';

describe('probes through the training worker (CPU engine)', () => {
  it('answers each probe on the current run, with the evaluation\'s numbers for the same puzzles', async () => {
    const { client } = workerHarness();
    await client.request({ type: 'init', backend: 'cpu' });
    await client.request({ type: 'create-run', runId: 'p1', config: tinyConfig() });
    const acc = await client.request({ type: 'probe', probe: { probe: 'accuracy-by-step', puzzles: 4 } });
    const ev = await client.request({ type: 'evaluate', limit: 4 });
    expect(acc.result.probe).toBe('accuracy-by-step');
    if (acc.result.probe !== 'accuracy-by-step') return;
    expect(acc.result.result).toMatchObject({ examples: 4, exactByStep: ev.result.exactByStep, meanHaltStep: ev.result.meanHaltStep });
    expect(acc.result.result.tokenByStep.at(-1)).toBe(ev.result.tokenAccuracy);

    const [example] = (await client.request({ type: 'examples', split: 'eval', limit: 1 })).examples;
    const changes = await client.request({ type: 'probe', probe: { probe: 'answer-changes', example } });
    expect(changes.result.probe === 'answer-changes' && changes.result.result.lastChange.length).toBe(16);
    const path = await client.request({ type: 'probe', probe: { probe: 'latent-trajectory', example } });
    expect(path.result.probe === 'latent-trajectory' && path.result.result.points.length).toBe(2 * 2 * 2); // N_sup × T × (n + 1)
    const ablation = await client.request({ type: 'probe', probe: { probe: 'task-ablation', puzzles: 4 } });
    expect(ablation.result).toMatchObject({ probe: 'task-ablation', result: { applicable: false } });
  });

  it('refuses a bad request with a message naming the probe and the problem', async () => {
    const { client } = workerHarness();
    await client.request({ type: 'init', backend: 'cpu' });
    await expect(client.request({ type: 'probe', probe: { probe: 'accuracy-by-step', puzzles: 4 } })).rejects.toThrow(/no run yet/);
    await client.request({ type: 'create-run', runId: 'p2', config: tinyConfig() });
    await expect(client.request({ type: 'probe', probe: { probe: 'task-ablation', puzzles: 0 } })).rejects.toThrow(/^task-ablation: the number of puzzles must be an integer from 1 to \d+, got 0$/);
    const short = { inputs: new Int32Array(9), labels: new Int32Array(9), puzzleId: 0 };
    await expect(client.request({ type: 'probe', probe: { probe: 'latent-trajectory', example: short } })).rejects.toThrow(/^latent-trajectory: the example has 9 tokens; this model reads 16/);
  });
});
