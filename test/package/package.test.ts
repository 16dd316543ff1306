/**
 * The package as its users get it: `npm pack` (which builds `dist/` through `prepack`), the
 * tarball unpacked into a scratch project, then both entry points imported and a consumer
 * file typechecked against the shipped declarations.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));

describe('the packed package', () => {
  let scratch: string;
  let files: string[];

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'chameleon-pack-'));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const [info] = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = info!.files.map((f) => f.path);
    const modules = join(scratch, 'node_modules');
    mkdirSync(join(modules, 'chameleon-hooks'), { recursive: true });
    execFileSync('tar', ['-xzf', join(scratch, info!.filename), '-C', join(modules, 'chameleon-hooks'), '--strip-components=1']);
    // The package's dependencies come from this repo's install (no network in tests).
    for (const name of readdirSync(join(repo, 'node_modules'))) {
      if (name === '.bin' || name === 'chameleon-hooks') continue;
      symlinkSync(join(repo, 'node_modules', name), join(modules, name));
    }
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  }, 180_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('should ship the built code, its types and the schemas, and nothing from the repo around them', () => {
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/verify/index.js');
    expect(files).toContain('schemas/topics/tour.started.json');
    expect(files).toContain('schemas/incoming/profile.json');
    expect(files).toContain('README.md');
    expect(files.filter((f) => /^(lib|test|bench|example-app|scripts|\.ci|\.cache)\//.test(f))).toEqual([]);
  });

  it('should import the main entry and the verify subpath as an installed package', () => {
    const script = `
      const main = await import('chameleon-hooks');
      const verify = await import('chameleon-hooks/verify');
      const hooks = main.chameleonHooks({ mongo: { uri: 'mongodb://127.0.0.1:1' }, accounts: [{ id: 'a', secret: 'acct_0123456789abcdef', webhookSecret: 'whsec_0123456789abcdef' }] });
      main.validateTopicData('ping', { account: { id: '58918bc07de121000432e9c0', name: 'Acme' } });
      console.log(JSON.stringify({
        topics: main.TOPICS.length,
        schedule: main.DEFAULT_RETRY_SCHEDULE.length,
        router: typeof hooks.use,
        sign: verify.signPayload('{}', 'secret'),
        middleware: typeof verify.verifyChameleonWebhook({ secret: 'whsec_0123456789abcdef' }),
      }));
    `;
    const out = execFileSync('node', ['--input-type=module', '-e', script], { cwd: scratch, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({
      topics: 26,
      schedule: 9,
      router: 'function',
      sign: createHmac('sha256', 'secret').update('{}').digest('hex'),
      middleware: 'function',
    });
  }, 120_000);

  it('should typecheck a consumer against the shipped declarations', () => {
    writeFileSync(
      join(scratch, 'consumer.ts'),
      `import { chameleonHooks, TOPICS, type TourStartedData, type Options } from 'chameleon-hooks';
import { verifyChameleonWebhook, type ChameleonWebhook } from 'chameleon-hooks/verify';
const options: Options = { mongo: { uri: 'mongodb://127.0.0.1:1' } };
const hooks = chameleonHooks(options);
export async function send(data: TourStartedData): Promise<string> {
  const { id } = await hooks.publish('acme', 'tour.started', data);
  return id;
}
export const topic: (typeof TOPICS)[number] = 'ping';
export const mw = verifyChameleonWebhook({ secret: 'x'.repeat(16) });
export type W = ChameleonWebhook;
`,
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['consumer.ts'] }),
    );
    execFileSync(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: scratch, encoding: 'utf8' });
  }, 180_000); // a cold tsc run over the shipped declarations; slow on a loaded machine
});
