import { generateKeyPairSync } from 'crypto';
import { EdgefleetError, FleetValidationError } from '../../lib';
import { MAX_LINE_LENGTH, MAX_MESSAGE_LENGTH, looksLikePrivateKey, shownMessage, withoutPrivateKeys } from '../../lib/errors/shown-text';

const AGE_KEY = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';

describe('shownMessage', () => {
  test('GIVEN a quoted value of 1,000 characters WHEN shown THEN it is cut to 80, saying how many were left out, and the rest is kept', () => {
    const shown = shownMessage(`column "region": "${'x'.repeat(1000)}" is not accepted (use "eu-west")`);
    expect(shown).toMatch(/^column "region": "x+… \(\d+ more characters\)" is not accepted \(use "eu-west"\)$/);
    const value = /: "(x+… \((\d+) more characters\))"/.exec(shown)!;
    expect(value[1].length).toBeLessThanOrEqual(80);
    expect(value[1].indexOf('…') + Number(value[2])).toBe(1000);
  });

  test('GIVEN a long value that is not quoted, or holds a quote WHEN shown THEN its line is cut', () => {
    expect(shownMessage(`id ${'x'.repeat(5000)} is wrong\nnext line`)).toMatch(/^id x+… \(\d+ more characters\)\nnext line$/);
    const withQuote = shownMessage(`id "ab"${'x'.repeat(5000)}" is wrong (use "c")`);
    expect(withQuote).toMatch(/^id "ab"x+… \(\d+ more characters\)$/);
    expect(withQuote.length).toBeLessThanOrEqual(MAX_LINE_LENGTH);
  });

  test('GIVEN a message of many lines WHEN shown THEN the whole is cut too', () => {
    expect(shownMessage('line\n'.repeat(100_000)).length).toBe(MAX_MESSAGE_LENGTH);
  });

  test('GIVEN a message shown already WHEN shown again THEN it is unchanged', () => {
    const once = shownMessage(`a "${'y'.repeat(200)}" b "${AGE_KEY}" ${'z'.repeat(3000)}\n${'w\n'.repeat(40_000)}`);
    expect(shownMessage(once)).toBe(once);
  });

  test.each([
    ['an age key', AGE_KEY],
    ['an age key in lower case', AGE_KEY.toLowerCase()],
    ['a PKCS #8 key', generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
    ['an RSA key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----'],
    ['a PGP key, its lines escaped as in JSON', '-----BEGIN PGP PRIVATE KEY BLOCK-----\\nlQOYBF\\n-----END PGP PRIVATE KEY BLOCK-----'],
  ])('GIVEN %s in a message WHEN shown THEN none of it is', (_, key) => {
    expect(looksLikePrivateKey(key)).toBe(true);
    expect(shownMessage(`ageRecipient "${key}" is a private key`)).toBe('ageRecipient "[private key not shown]" is a private key');
    expect(withoutPrivateKeys(`before ${key}`)).toBe('before [private key not shown]');
  });

  test('GIVEN a PEM private key whose end line is missing WHEN shown THEN nothing from its first line on is', () => {
    const shown = shownMessage('operators[0] "-----begin openssh private key-----\nb3BlbnNzaC1rZXktdjEAAAAA" is a private key\n  - next');
    expect(shown).toBe('operators[0] "[private key not shown]');
  });

  test('GIVEN public keys and the words "private key" WHEN shown THEN they are', () => {
    const text =
      'age1ppqerzr5q0k6ld8nzndqfv9fk6xcxta5fl2twz8p2vdt7ke9g4pqtcr95j is not a private key (AGE-SECRET-KEY-...); -----BEGIN PUBLIC KEY-----';
    expect(looksLikePrivateKey(text)).toBe(false);
    expect(shownMessage(text)).toBe(text);
  });

  test('GIVEN an error of a fleet definition WHEN made THEN its message, and each of its problems, is shown so', () => {
    expect(new EdgefleetError(`"${AGE_KEY}"`).message).toBe('"[private key not shown]"');
    const error = new FleetValidationError([`store "s": labels "city" value "${'x'.repeat(500)}" is not a Kubernetes label value`]);
    expect(error.problems[0]).toMatch(/value "x+… \(\d+ more characters\)" is not/);
    expect(error.message.length).toBeLessThan(200);
  });
});
