// What both end-to-end scripts need: start a binary and learn its port, name checks and report
// them (a failed check does not stop the others).
import { spawn } from 'node:child_process';

const children = [];

/// Starts `binary` and resolves once it logs the port it listens on.
export function start(binary, args) {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${binary} did not start:\n${stderr}`)), 20000);
    const poll = setInterval(() => {
      const match = stderr.match(/listening on https?:\/\/127\.0\.0\.1:(\d+)/);
      if (match) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve({ port: Number(match[1]), stdout: () => stdout, child });
      }
    }, 10);
  });
}

export const results = [];

export async function check(name, fn) {
  try {
    await fn();
    results.push(`ok   ${name}`);
  } catch (error) {
    results.push(`FAIL ${name}: ${error.stack ?? error}`);
  }
}

/// Stops everything start() started.
export function stop() {
  for (const child of children) child.kill('SIGTERM');
}

/// Prints the results and exits 1 when any check failed.
export function finish(...notes) {
  console.log([...results, ...notes].join('\n'));
  process.exit(results.some((line) => line.startsWith('FAIL')) ? 1 : 0);
}
