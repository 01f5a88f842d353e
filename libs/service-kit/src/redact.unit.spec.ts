import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from './logger.js';
import { redactError, redactSecrets } from './redact.js';

describe('redactSecrets: connection strings lose their password, nothing else', () => {
  const cases: [string, string][] = [
    ['postgresql://wenming:s3cret@db:5432/wenming', 'postgresql://wenming:***@db:5432/wenming'],
    ['postgres://u:p%40ss@db/x?sslmode=require', 'postgres://u:***@db/x?sslmode=require'],
    // An unescaped @ in the password: everything up to the host's @ is hidden.
    ['postgresql://u:pa@ss@db/x', 'postgresql://u:***@db/x'],
    ['mongodb://admin:hunter2@m1:27017,m2:27017/wenming?replicaSet=rs0', 'mongodb://admin:***@m1:27017,m2:27017/wenming?replicaSet=rs0'],
    ['mongodb+srv://app:pw@cluster0.example.net/', 'mongodb+srv://app:***@cluster0.example.net/'],
    ['esdb://admin:changeit@esdb:2113?tls=false', 'esdb://admin:***@esdb:2113?tls=false'],
    ['kafka://user:pw@broker:9092', 'kafka://user:***@broker:9092'],
    ['postgresql://db/x?user=u&password=s3cret&sslmode=require', 'postgresql://db/x?user=u&password=***&sslmode=require'],
    ["host=db user=u password='a b' dbname=x", 'host=db user=u password=*** dbname=x'],
    ['host=db sslpassword=k1 PWD=k2', 'host=db sslpassword=*** PWD=***'],
    [
      'error: connect ECONNREFUSED for postgresql://u:p@10.0.0.1:5432/db (pool)',
      'error: connect ECONNREFUSED for postgresql://u:***@10.0.0.1:5432/db (pool)',
    ],
  ];
  for (const [input, expected] of cases) {
    it(input, () => assert.equal(redactSecrets(input), expected));
  }

  it('leaves text without a password as it is', () => {
    for (const text of [
      'sqlite:/data/events.db',
      'mongodb://m1:27017/?replicaSet=rs0',
      'esdb://user@esdb:2113',
      'kafka-1:9092,kafka-2:9092',
      'a:b c@d',
    ]) {
      assert.equal(redactSecrets(text), text);
    }
  });

  it('redactError hides the password in an error message and its stack', () => {
    const text = redactError(new Error('getaddrinfo ENOTFOUND for postgresql://u:s3cret@nowhere/db'));
    assert.doesNotMatch(text, /s3cret/);
    assert.match(text, /postgresql:\/\/u:\*\*\*@nowhere\/db/);
    assert.equal(redactError('mongodb://a:b@h'), 'mongodb://a:***@h');
  });

  it('the logger hides it in a logged error', () => {
    const lines: string[] = [];
    const logger = createLogger('info', 'test', { write: (line: string) => lines.push(line) });
    logger.error({ err: new Error('cannot reach mongodb://app:hunter2@m1:27017/x') }, 'read store down');
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0]!, /hunter2/);
    assert.match(lines[0]!, /mongodb:\/\/app:\*\*\*@m1/);
  });
});
