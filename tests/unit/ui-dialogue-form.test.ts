// The session form reads a dialogue and writes each field back in place.
import { describe, expect, it } from 'vitest';
import { readForm, writeHelo, writeLogin, writeMessage, writeRecipients, writeSender } from '../../src/ui/state/dialogue-form.ts';

const D = `# client: 198.51.100.7
XCLIENT ADDR=198.51.100.7 NAME=mail.example.org
EHLO mail.example.org
MAIL FROM:<a@example.org> SIZE=100
RCPT TO:<b@relay.example>
RCPT TO:<c@sub.relay.example>
DATA
Subject: hi

..dot-stuffed
.
QUIT
`;

describe('readForm', () => {
  it('reads HELO, sender, recipients and the unstuffed message of the first transaction', () => {
    expect(readForm(D)).toEqual({
      helo: 'mail.example.org',
      heloVerb: 'EHLO',
      login: '',
      sender: 'a@example.org',
      recipients: ['b@relay.example', 'c@sub.relay.example'],
      message: 'Subject: hi\n\n.dot-stuffed',
      hasMessage: true,
      transactions: 1,
    });
  });
  it('counts transactions and ignores commands inside the message', () => {
    const f = readForm('EHLO x\nMAIL FROM:<a@x>\nRCPT TO:<b@x>\nDATA\nRCPT TO:<not@cmd>\n.\nMAIL FROM:<c@x>\nRCPT TO:<d@x>\nQUIT\n');
    expect(f.transactions).toBe(2);
    expect(f.recipients).toEqual(['b@x']);
    expect(f.message).toBe('RCPT TO:<not@cmd>');
  });
  it('reads the XCLIENT LOGIN= name', () => expect(readForm('XCLIENT LOGIN=alice\nEHLO x\n').login).toBe('alice'));
});

describe('writing a field changes only its lines', () => {
  it('HELO: replaced in place, inserted after directives and XCLIENT, removed when empty', () => {
    expect(writeHelo(D, 'other.example')).toBe(D.replace('EHLO mail.example.org', 'EHLO other.example'));
    expect(writeHelo('# client: 1.2.3.4\nXCLIENT NAME=x\nQUIT\n', 'h.example')).toBe('# client: 1.2.3.4\nXCLIENT NAME=x\nEHLO h.example\nQUIT\n');
    expect(writeHelo('EHLO a\nQUIT\n', '')).toBe('QUIT\n');
  });
  it('sender: keeps ESMTP parameters; inserted after the greeting when missing', () => {
    expect(writeSender(D, 'z@example.net')).toBe(D.replace('MAIL FROM:<a@example.org> SIZE=100', 'MAIL FROM:<z@example.net> SIZE=100'));
    expect(writeSender('EHLO a\nQUIT\n', 's@x')).toBe('EHLO a\nMAIL FROM:<s@x>\nQUIT\n');
  });
  it('recipients: the first transaction only, one line each', () => {
    const out = writeRecipients(D, ['one@x', 'two@x', 'three@x']);
    expect(readForm(out).recipients).toEqual(['one@x', 'two@x', 'three@x']);
    expect(out).toContain('MAIL FROM:<a@example.org> SIZE=100\nRCPT TO:<one@x>\nRCPT TO:<two@x>\nRCPT TO:<three@x>\nDATA\n');
    expect(writeRecipients('EHLO a\nQUIT\n', ['r@x'])).toBe('EHLO a\nMAIL FROM:<>\nRCPT TO:<r@x>\nQUIT\n');
  });
  it('message: dot-stuffed into the dialogue; a new DATA block after the recipients; empty removes it', () => {
    expect(readForm(writeMessage(D, 'Subject: new\n\n.leading dot')).message).toBe('Subject: new\n\n.leading dot');
    expect(writeMessage(D, 'x')).toContain('DATA\nx\n.\nQUIT\n');
    expect(writeMessage('EHLO a\nMAIL FROM:<s@x>\nRCPT TO:<r@x>\nQUIT\n', 'body')).toBe('EHLO a\nMAIL FROM:<s@x>\nRCPT TO:<r@x>\nDATA\nbody\n.\nQUIT\n');
    expect(writeMessage(D, '')).toBe(D.replace('DATA\nSubject: hi\n\n..dot-stuffed\n.\n', ''));
  });
  it('login: XCLIENT LOGIN= set, changed and removed', () => {
    expect(writeLogin('EHLO a\n', 'bob')).toBe('XCLIENT LOGIN=bob\nEHLO a\n');
    expect(writeLogin('XCLIENT NAME=x LOGIN=bob\nEHLO a\n', 'carol')).toBe('XCLIENT NAME=x LOGIN=carol\nEHLO a\n');
    expect(writeLogin('XCLIENT LOGIN=bob\nEHLO a\n', '')).toBe('EHLO a\n');
  });
  it('a round trip through the form leaves the dialogue as it was', () => {
    const f = readForm(D);
    let t = writeHelo(D, f.helo);
    t = writeSender(t, f.sender);
    t = writeRecipients(t, f.recipients);
    t = writeMessage(t, f.message);
    expect(t).toBe(D);
  });
});
