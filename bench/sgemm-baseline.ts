/** The SGEMM rate conv throughput is judged against, measured in the benchmark's own run. */
import { spawnSync } from 'node:child_process';

/** numpy's float32 matmul (OpenBLAS) on this machine, same thread count: the SGEMM rate the conv target refers to. */
export function sgemmBaseline(threads: number): number | string {
  const code = 'import numpy as np, time\nn=2048\na=np.random.rand(n,n).astype(np.float32); b=np.random.rand(n,n).astype(np.float32)\na@b\nt=time.perf_counter()\nfor _ in range(5): a@b\nprint(2*n**3*5/(time.perf_counter()-t)/1e9)';
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  // The first python3 on PATH: Debian's numpy links the reference BLAS (6 GFLOP/s here), a
  // pip-installed one bundles OpenBLAS (≈190).
  let last = '';
  for (const python of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(python, ['-c', code], { encoding: 'utf8', env });
    if (r.status === 0) return Number(r.stdout.trim());
    last = (r.stderr || r.error?.message || '').trim().split('\n').pop() ?? '';
  }
  return `numpy failed: ${last}`;
}
