import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { checkSigV4, startS3Server } from '../utils/s3-server.ts';

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

test('the test S3 server refuses anonymous requests and stops cleanly', async () => {
  const s3 = await startS3Server();
  const status = await new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port: s3.port, path: '/' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  assert.equal(status, 403);
  await s3.createBucket('made-by-api');
  await s3.stop();
  assert.equal(await answers(s3.port), false);
});

test('the server goes away when the process that started it is killed', async () => {
  // A parent that starts a server, reports its port, then waits to be killed.
  const script = `
    const { startS3Server } = await import(${JSON.stringify(new URL('../utils/s3-server.ts', import.meta.url).href)});
    const s3 = await startS3Server();
    process.stdout.write(JSON.stringify({ port: s3.port }) + '\\n');
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    parent.once('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
  });
  assert.equal(await answers(port), true);
  parent.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while ((await answers(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await answers(port), false, 'the orphaned S3 server still answers');
});

test('SigV4 check: the AWS documentation example verifies, a changed byte does not', () => {
  // "GET Object" example of the AWS SigV4 documentation for S3 (examplebucket, test.txt).
  const req = {
    method: 'GET',
    url: '/test.txt',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      range: 'bytes=0-9',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-amz-date': '20130524T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    },
  };
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  assert.equal(checkSigV4(req, 'AKIAIOSFODNN7EXAMPLE', secret, 'us-east-1'), undefined);
  assert.equal(checkSigV4({ ...req, headers: { ...req.headers, range: 'bytes=0-10' } }, 'AKIAIOSFODNN7EXAMPLE', secret, 'us-east-1')?.code, 'SignatureDoesNotMatch');
  assert.equal(checkSigV4(req, 'AKIAIOSFODNN7EXAMPLE', secret + 'x', 'us-east-1')?.code, 'SignatureDoesNotMatch');
  assert.equal(checkSigV4(req, 'OTHER', secret, 'us-east-1')?.code, 'InvalidAccessKeyId');
  assert.equal(checkSigV4({ ...req, headers: { host: 'x' } }, 'AKIAIOSFODNN7EXAMPLE', secret, 'us-east-1')?.code, 'AccessDenied');
});
