/*
 * The embedding page's own script: the snippets name where this copy of
 * postfix-sim is served from, each gets a Copy button, and the message API
 * demo drives its frame. Written as a host page would write it: it knows
 * nothing of the app but the message protocol (src/ui/embed/api.ts).
 */
const base = new URL('../', location.href).href.replace(/\/$/, '');
for (const code of document.querySelectorAll<HTMLElement>('.snippet code, code[data-base]'))
  code.textContent = (code.textContent ?? '').replaceAll('BASE', base);

// Code that scrolls sideways must be reachable with the keyboard.
for (const pre of document.querySelectorAll<HTMLElement>('.snippet pre, #api-out')) pre.tabIndex = 0;

for (const box of document.querySelectorAll<HTMLElement>('.snippet')) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Copy';
  button.className = 'copy';
  button.addEventListener('click', () => {
    const text = box.querySelector('code')?.textContent ?? '';
    navigator.clipboard.writeText(text).then(
      () => (button.textContent = 'Copied'),
      () => {
        const range = document.createRange();
        range.selectNodeContents(box.querySelector('code')!);
        getSelection()?.removeAllRanges();
        getSelection()?.addRange(range);
        button.textContent = 'Selected: press Ctrl+C';
      },
    );
  });
  box.prepend(button);
}

// The message API demo.
const frame = document.getElementById('api-frame') as HTMLIFrameElement;
const out = document.getElementById('api-out')!;
let next = 0;
let ready: () => void = () => undefined;
const started = new Promise<void>((resolve) => (ready = resolve));
addEventListener('message', (e) => {
  if (e.source === frame.contentWindow && (e.data as { postfixSim?: number; event?: string })?.postfixSim === 1 && e.data.event === 'ready') ready();
});

function call(method: string, params?: Record<string, unknown>): Promise<unknown> {
  const id = ++next;
  return new Promise((resolve, reject) => {
    addEventListener('message', function answer(e: MessageEvent) {
      const m = e.data as { postfixSim?: number; id?: number; ok?: boolean; result?: unknown; error?: string };
      if (e.source !== frame.contentWindow || m?.postfixSim !== 1 || m.id !== id) return;
      removeEventListener('message', answer);
      if (m.ok) resolve(m.result);
      else reject(new Error(m.error));
    });
    frame.contentWindow!.postMessage({ postfixSim: 1, id, method, params }, '*');
  });
}

async function show(label: string, work: () => Promise<unknown>): Promise<void> {
  out.textContent = `${label}…`;
  try {
    await started;
    out.textContent = `${label}:\n${JSON.stringify(await work(), null, 2)}`;
  } catch (e) {
    out.textContent = `${label} failed: ${(e as Error).message}`;
  }
}

document.getElementById('api-load')!.addEventListener('click', () =>
  show('load', () =>
    call('load', {
      files: { 'main.cf': 'mynetworks = 192.0.2.0/24\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n' },
      session: 'EHLO mail.example.org\nMAIL FROM:<a@example.org>\nRCPT TO:<b@example.net>\nQUIT\n',
      client: '203.0.113.5',
    }),
  ),
);
document.getElementById('api-run')!.addEventListener('click', () => show('run', () => call('run')));
document.getElementById('api-exercise')!.addEventListener('click', () =>
  show('load an exercise, run its goals', async () => {
    await call('load', { scenario: 'exercise-close-open-relay', view: 'smtpd' });
    const { expectations } = (await call('run', { what: ['expect'] })) as { expectations: { passed: number; total: number } };
    return { goalsMet: `${expectations.passed} of ${expectations.total}`, expectations };
  }),
);
